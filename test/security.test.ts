import { createHash, createHmac } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { resolveControlAccess } from '../src/control/access.js';
import { MockControlError, mockClient, startMock } from '../src/index.js';
import { AUTH, configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const HOST = '127.0.0.1:4010';
const OWN = 'http://127.0.0.1:4010';
const EVIL = 'http://evil.example';
const TOKEN = 'control-secret';
const CONTROL = { Authorization: `Bearer ${TOKEN}` };
const authorizePath = '/integrations/github:authorize';

/** What the store holds, to show a refused request changed nothing. */
const contents = (h: Harness) => JSON.stringify(h.store.snapshot());

async function openConsent(h: Harness, query = '?tenant=acme&integration=github&scopes=repo') {
  const page = await request(h.app).get(`/__mock/oauth/authorize${query}`).set('Host', HOST);
  expect(page.status).toBe(200);
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text)?.[1];
  return { page, consent: field('consent')!, csrf: field('csrf')! };
}

const decide = (h: Harness, form: Record<string, string>, origin: string | undefined = OWN) => {
  const post = request(h.app).post('/__mock/oauth/authorize').set('Host', HOST).type('form');
  return (origin === undefined ? post : post.set('Origin', origin)).send(form);
};

describe('host-allowlist', () => {
  it.each(['evil.example', 'evil.example:4010', 'localhost.evil.example', '127.0.0.1.evil.example', '10.0.0.8:4010'])(
    'host-allowlist: answers %s with a 421 problem on /v1 and /__mock, changing nothing',
    async (host) => {
      const h = await makeHarness();
      const before = contents(h);
      expectProblem(await request(h.app).post(`/v1/tenants/acme${configsPath()}`).set(AUTH).set('Host', host).send({ displayName: 'x' }), 421, 'HOST_NOT_ALLOWED');
      expectProblem(await request(h.app).post('/__mock/reset').set('Host', host), 421, 'HOST_NOT_ALLOWED');
      expectProblem(await request(h.app).get('/__mock/state').set('Host', host), 421, 'HOST_NOT_ALLOWED');
      expect(contents(h)).toBe(before);
    },
  );

  it.each(['127.0.0.1:4010', '127.3.4.5', 'localhost:4010', 'LOCALHOST', 'app.localhost:4010', '[::1]:4010', 'localhost.'])(
    'host-allowlist: answers the loopback name %s',
    async (host) => {
      const { app } = await makeHarness();
      expect((await request(app).get('/v1/tenants/acme/integrations/slack').set(AUTH).set('Host', host)).status).toBe(200);
      expect((await request(app).get('/__mock/health').set('Host', host)).status).toBe(200);
    },
  );

  it('host-allowlist: answers the listen address, --allowed-hosts and the --public-url host, and no other', async () => {
    const { app } = await makeHarness({ app: { allowedHosts: ['192.168.1.20', 'Mock.Internal'], publicUrl: 'https://demo.example.com' } });
    for (const host of ['192.168.1.20:4010', 'mock.internal:4010', 'demo.example.com']) {
      expect((await request(app).get('/__mock/health').set('Host', host)).status, host).toBe(200);
    }
    expectProblem(await request(app).get('/__mock/health').set('Host', 'other.example.com'), 421);
  });

  it('host-allowlist: with --trust-proxy checks X-Forwarded-Host, without it ignores it', async () => {
    const trusting = await makeHarness({ app: { trustProxy: true } });
    expectProblem(await request(trusting.app).get('/__mock/health').set('Host', HOST).set('X-Forwarded-Host', 'evil.example'), 421);
    const plain = await makeHarness();
    expect((await request(plain.app).get('/__mock/health').set('Host', HOST).set('X-Forwarded-Host', 'evil.example')).status).toBe(200);
  });
});

describe('control-no-cors and control-foreign-origin', () => {
  it('control-no-cors: the control plane sends no CORS headers, even for a preflight; the API keeps its CORS', async () => {
    const { app } = await makeHarness();
    const preflight = await request(app).options('/__mock/reset').set('Host', HOST).set('Origin', EVIL).set('Access-Control-Request-Method', 'POST');
    expectProblem(preflight, 403, 'CROSS_ORIGIN_CONTROL');
    expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
    const read = await request(app).get('/__mock/state').set('Host', HOST).set('Origin', EVIL);
    expect(read.headers).not.toHaveProperty('access-control-allow-origin');
    const api = await request(app).get('/v1/tenants/acme/integrations/slack').set(AUTH).set('Host', HOST).set('Origin', EVIL);
    expect(api.status).toBe(200);
    expect(api.headers['access-control-allow-origin']).toBe(EVIL);
  });

  const attempts: [string, (h: Harness) => request.Test][] = [
    ['GET /state', (h) => request(h.app).get('/__mock/state')],
    ['POST /reset', (h) => request(h.app).post('/__mock/reset')],
    ['PUT /state', (h) => request(h.app).put('/__mock/state').send({ ...h.store.snapshot(), configs: {} })],
    ['POST /faults', (h) => request(h.app).post('/__mock/faults').send({ operationId: 'getIntegration', status: 500 })],
    ['POST /oauth/credential-keys', (h) => request(h.app).post('/__mock/oauth/credential-keys').send({ tenant: 'acme', integrationId: 'github' })],
  ];
  const foreign: [string, Record<string, string>][] = [
    ['another origin', { Origin: EVIL }],
    ['another port of the same host', { Origin: 'http://127.0.0.1:5173' }],
    ['Origin: null', { Origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ];

  it.each(attempts.flatMap(([call, send]) => foreign.map(([from, headers]) => [call, from, send, headers] as const)))(
    'control-foreign-origin: %s from %s is a 403 problem and changes nothing',
    async (_call, _from, send, headers) => {
      const h = await makeHarness();
      await h.api.post(configsPath(), { displayName: 'kept' });
      const before = contents(h);
      const res = await send(h).set('Host', HOST).set(headers);
      expectProblem(res, 403, 'CROSS_ORIGIN_CONTROL');
      expect(res.headers).not.toHaveProperty('access-control-allow-origin');
      expect(contents(h)).toBe(before);
      expect((await h.mock.get('/faults')).body.items).toEqual([]);
    },
  );

  it.each([
    ['no Origin (a non-browser client)', {}],
    ['its own origin', { Origin: OWN, 'Sec-Fetch-Site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed in the address bar)', { 'Sec-Fetch-Site': 'none' }],
  ])('control-foreign-origin: answers a request with %s', async (_name, headers) => {
    const h = await makeHarness();
    await h.api.post(configsPath(), { displayName: 'gone' });
    expect((await request(h.app).post('/__mock/reset').set('Host', HOST).set(headers)).status).toBe(204);
    expect((await h.api.get(configsPath())).body).toEqual([]);
  });

  it('control-foreign-origin: the --public-url origin is the mock\'s own', async () => {
    const { app } = await makeHarness({ app: { publicUrl: 'https://demo.example.com/mock' } });
    const res = await request(app).post('/__mock/reset').set('Host', 'demo.example.com').set('Origin', 'https://demo.example.com');
    expect(res.status).toBe(204);
  });

  it('control-foreign-origin: any page may open the consent page as a popup (a cross-site navigation)', async () => {
    const { app } = await makeHarness();
    const res = await request(app)
      .get('/__mock/oauth/authorize?tenant=acme&integration=github')
      .set('Host', HOST)
      .set({ 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' });
    expect(res.status).toBe(200);
    expect(res.headers).not.toHaveProperty('access-control-allow-origin');
  });
});

describe('control-token', () => {
  it('control-token: every control call needs the bearer token, else a 401 problem', async () => {
    const h = await makeHarness({ app: { controlToken: TOKEN } });
    await h.api.post(configsPath(), { displayName: 'kept' });
    const before = contents(h);
    for (const auth of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: TOKEN }]) {
      const res = await request(h.app).post('/__mock/reset').set(auth);
      expectProblem(res, 401, 'CONTROL_TOKEN_REQUIRED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
      expectProblem(await request(h.app).get('/__mock/health').set(auth), 401);
    }
    expect(contents(h)).toBe(before);
    expect((await request(h.app).get('/__mock/health').set(CONTROL)).status).toBe(200);
    expect((await request(h.app).post('/__mock/reset').set('Authorization', `bearer ${TOKEN}`)).status).toBe(204);
    expect((await h.api.get(configsPath())).body).toEqual([]);
  });

  it('control-token: the consent page and its form need none (a popup cannot send it)', async () => {
    const h = await makeHarness({ app: { controlToken: TOKEN } });
    const { consent, csrf } = await openConsent(h);
    const outcome = await decide(h, { consent, csrf, decision: 'approve' });
    expect(outcome.status).toBe(200);
    expect(Object.keys(h.store.snapshot().oauthKeys)).toHaveLength(1);
  });

  it('control-token: startMock({ controlToken }) and mockClient(url, { token })', async () => {
    const mock = await startMock({ controlToken: TOKEN });
    try {
      expect(mock.controlToken).toBe(TOKEN);
      const anonymous = mockClient(mock.url);
      await expect(anonymous.journal()).rejects.toMatchObject({ status: 401, problem: { code: 'CONTROL_TOKEN_REQUIRED' } });
      await expect(anonymous.reset()).rejects.toBeInstanceOf(MockControlError);
      const client = mockClient(mock.url, { token: TOKEN });
      expect(await client.addFault({ operationId: 'getIntegration', status: 503 })).toMatchObject({ status: 503 });
      expect(await client.state({ includeSecrets: true })).toMatchObject({ meta: { schemaVersion: 1 } });
      await client.reset();
      expect(mock.faults()).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});

describe('control-token-when-exposed', () => {
  const base = { host: '127.0.0.1', jwtSecret: undefined, controlToken: undefined, controlCorsOrigins: [] };

  it.each(['0.0.0.0', '::', '192.168.1.20', 'devbox.lan'])('control-token-when-exposed: listening on %s generates a token', (host) => {
    const access = resolveControlAccess({ ...base, host });
    expect(access).toMatchObject({ generated: true, token: expect.stringMatching(/^[\w-]{32}$/) });
    expect(resolveControlAccess({ ...base, host }).token).not.toBe(access.token);
  });

  it.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('control-token-when-exposed: listening on %s needs none', (host) => {
    expect(resolveControlAccess({ ...base, host })).toEqual({ token: undefined, corsOrigins: [], generated: false });
  });

  it('control-token-when-exposed: strict mode generates one; a given one is kept', async () => {
    expect(resolveControlAccess({ ...base, jwtSecret: 's' }).generated).toBe(true);
    expect(resolveControlAccess({ ...base, host: '0.0.0.0', controlToken: TOKEN })).toEqual({ token: TOKEN, corsOrigins: [], generated: false });
    const mock = await startMock({ jwtSecret: 'shh' });
    try {
      expect(mock.controlToken).toEqual(expect.any(String));
      await expect(mockClient(mock.url).journal()).rejects.toMatchObject({ status: 401 });
      expect(await mockClient(mock.url, { token: mock.controlToken }).journal()).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});

describe('control-cors-needs-token', () => {
  const base = { host: '127.0.0.1', jwtSecret: undefined, controlToken: TOKEN };

  it.each([
    ['*', ['*'], TOKEN, /never '\*'/],
    ['a list with *', ['http://app.test', '*'], TOKEN, /never '\*'/],
    ['a value that is not an origin', ['http://app.test/path'], TOKEN, /not an origin/],
    ['no control token', ['http://app.test'], undefined, /needs --control-token/],
  ])('control-cors-needs-token: refuses to start with %s', async (_name, origins, controlToken, message) => {
    expect(() => resolveControlAccess({ ...base, controlToken, controlCorsOrigins: origins })).toThrow(message);
    await expect(startMock({ controlToken, controlCorsOrigins: origins })).rejects.toThrow(message);
  });

  it('control-cors-needs-token: a listed origin gets CORS and still needs the token; others do not', async () => {
    const app = 'http://app.test';
    const h = await makeHarness({ app: { controlToken: TOKEN, controlCorsOrigins: [app] } });
    const preflight = await request(h.app)
      .options('/__mock/reset')
      .set('Host', HOST)
      .set({ Origin: app, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': app, 'access-control-allow-headers': 'Authorization, Content-Type' });
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');

    const refused = await request(h.app).get('/__mock/health').set('Host', HOST).set({ Origin: app, 'Sec-Fetch-Site': 'cross-site' });
    expectProblem(refused, 401, 'CONTROL_TOKEN_REQUIRED');
    expect(refused.headers['access-control-allow-origin']).toBe(app);
    const read = await request(h.app).get('/__mock/health').set('Host', HOST).set({ Origin: app, 'Sec-Fetch-Site': 'cross-site', ...CONTROL });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe(app);

    expectProblem(await request(h.app).get('/__mock/health').set('Host', HOST).set({ Origin: EVIL, ...CONTROL }), 403);
    const { consent, csrf } = await openConsent(h);
    expectProblem(await decide(h, { consent, csrf, decision: 'approve' }, app), 403, 'CROSS_ORIGIN_CONTROL');
    expect(h.store.snapshot().oauthKeys).toEqual({});
  });
});

describe('state-secrets-need-token and state-hides-unused-oauth-keys', () => {
  const secretConfig = { displayName: 'gh', auth: { integrationAuthMetadataId: 'api_key', parameters: { token: 'ghp_secret' } } };

  it('state-secrets-need-token: includeSecrets=true is a 403 problem without a control token', async () => {
    const h = await makeHarness();
    await h.api.post(configsPath('github'), secretConfig);
    const res = await h.mock.get('/state?includeSecrets=true');
    expectProblem(res, 403, 'SECRETS_NEED_CONTROL_TOKEN');
    expect(res.text).not.toContain('ghp_secret');
    expect((await h.mock.get('/state?includeSecrets=false')).status).toBe(200);
  });

  it('state-secrets-need-token: with the token configured and sent, the export has the values', async () => {
    const h = await makeHarness({ app: { controlToken: TOKEN } });
    await h.api.post(configsPath('github'), secretConfig);
    expectProblem(await h.mock.get('/state?includeSecrets=true'), 401);
    expect((await h.mock.get('/state?includeSecrets=true').set(CONTROL)).text).toContain('ghp_secret');
  });

  it('state-hides-unused-oauth-keys: an unused key is hidden in the redacted export, a consumed one stays', async () => {
    const h = await makeHarness({ app: { controlToken: TOKEN } });
    const used = await h.mintKey('acme', 'github');
    const unused = [await h.mintKey('acme', 'github'), await h.mintKey('globex', 'github')];
    await h.api.post(configsPath('github'), { displayName: 'gh', oAuthCredentialKey: used });

    const redacted = await h.mock.get('/state').set(CONTROL);
    expect(redacted.status).toBe(200);
    for (const key of unused) expect(redacted.text).not.toContain(key);
    expect(Object.keys(redacted.body.oauthKeys).sort()).toEqual(['[redacted]-1', '[redacted]-2', used].sort());
    expect(redacted.body.oauthKeys['[redacted]-1']).toMatchObject({ key: '[redacted]-1', consumedAt: null, accessToken: '[redacted]' });
    expect(redacted.body.oauthKeys[used]).toMatchObject({ key: used, consumedAt: expect.any(Number), accessToken: '[redacted]' });
    expect(redacted.text).not.toMatch(/"(at|rt)_/);

    const full = await h.mock.get('/state?includeSecrets=true').set(CONTROL);
    expect(Object.keys(full.body.oauthKeys).sort()).toEqual([used, ...unused].sort());
  });
});

describe('public-url-base and trust-proxy', () => {
  const authorize = (h: Harness, headers: Record<string, string>) =>
    request(h.app).post(`/v1/tenants/acme${authorizePath}`).set(AUTH).set(headers).send({ integrationAuthMetadataId: 'oauth2' });

  it('public-url-base: authorizationUrl and :verifyAuth links start with --public-url, path prefix kept, whatever the Host', async () => {
    const h = await makeHarness({ app: { publicUrl: 'https://demo.example.com/mock' } });
    for (const host of [HOST, 'localhost:9999', 'demo.example.com']) {
      const res = await authorize(h, { Host: host });
      expect(res.body.authorizationUrl).toMatch(/^https:\/\/demo\.example\.com\/mock\/__mock\/oauth\/authorize\?tenant=acme&/);
    }
    const config = (await h.api.post(configsPath('github'), { displayName: 'gh', auth: { integrationAuthMetadataId: 'oauth2' } })).body;
    const verify = await h.api.post(`${configsPath('github')}/${config.id}:verifyAuth`).set('Host', 'localhost:9999');
    expect(verify.body.authorizationUrl).toMatch(/^https:\/\/demo\.example\.com\/mock\/__mock\/oauth\/authorize\?/);
  });

  it('public-url-base: a trailing slash of the public URL is not doubled', async () => {
    const h = await makeHarness({ app: { publicUrl: 'https://demo.example.com/' } });
    expect((await authorize(h, { Host: HOST })).body.authorizationUrl).toMatch(/^https:\/\/demo\.example\.com\/__mock\/oauth\/authorize\?/);
  });

  it('public-url-base: without --public-url, the allowed host the client used', async () => {
    const h = await makeHarness();
    expect((await authorize(h, { Host: 'localhost:9999' })).body.authorizationUrl).toMatch(/^http:\/\/localhost:9999\/__mock\/oauth\/authorize\?/);
  });

  it('trust-proxy: X-Forwarded-Proto/Host are ignored without --trust-proxy and used with it', async () => {
    const forwarded = { Host: 'mock.internal:4010', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'demo.example.com, proxy.internal' };
    const plain = await makeHarness({ app: { allowedHosts: ['mock.internal', 'demo.example.com'] } });
    expect((await authorize(plain, forwarded)).body.authorizationUrl).toMatch(/^http:\/\/mock\.internal:4010\//);
    const trusting = await makeHarness({ app: { allowedHosts: ['mock.internal', 'demo.example.com'], trustProxy: true } });
    expect((await authorize(trusting, forwarded)).body.authorizationUrl).toMatch(/^https:\/\/demo\.example\.com\/__mock\//);
    const odd = await authorize(trusting, { ...forwarded, 'X-Forwarded-Proto': 'gopher' });
    expect(odd.body.authorizationUrl).toMatch(/^http:\/\/demo\.example\.com\//);
  });

  it('trust-proxy: the forwarded origin is the mock\'s own for the control plane', async () => {
    const h = await makeHarness({ app: { allowedHosts: ['demo.example.com'], trustProxy: true } });
    const res = await request(h.app)
      .post('/__mock/reset')
      .set({ Host: 'mock.internal', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'demo.example.com', Origin: 'https://demo.example.com' });
    expect(res.status).toBe(204);
  });
});

describe('the consent page', () => {
  it('consent-csrf-token: each page carries its own pending authorization and token, and decides once', async () => {
    const h = await makeHarness();
    const first = await openConsent(h);
    const second = await openConsent(h);
    expect(first.consent).not.toBe(second.consent);
    expect(first.csrf).not.toBe(second.csrf);
    expect(first.csrf).toMatch(/^[\w-]{32}$/);
    expect(first.page.text).not.toMatch(/name="(tenant|integration|scopes)"/);

    const approved = await decide(h, { consent: first.consent, csrf: first.csrf, decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(Object.values(h.store.snapshot().oauthKeys)).toEqual([expect.objectContaining({ tenant: 'acme', integrationId: 'github', scopes: ['repo'] })]);
    const before = contents(h);
    expectProblem(await decide(h, { consent: first.consent, csrf: first.csrf, decision: 'approve' }), 403, 'CONSENT_TOKEN_INVALID');
    expect(contents(h)).toBe(before);
  });

  it.each([
    ['no token', (p: { consent: string; csrf: string }) => ({ consent: p.consent })],
    ['another page\'s token', (p: { consent: string; csrf: string }, other: { csrf: string }) => ({ consent: p.consent, csrf: other.csrf })],
    ['a guessed token', (p: { consent: string; csrf: string }) => ({ consent: p.consent, csrf: `${p.csrf.slice(0, -1)}${p.csrf.endsWith('A') ? 'B' : 'A'}` })],
    ['no pending authorization', () => ({ consent: 'made-up', csrf: 'made-up' })],
    ['nothing but a decision', () => ({})],
  ])('consent-csrf-token: a post with %s is a 403 problem and mints nothing', async (_name, spoil) => {
    const h = await makeHarness();
    const page = await openConsent(h);
    const other = await openConsent(h);
    expectProblem(await decide(h, { ...spoil(page, other), decision: 'approve' }), 403, 'CONSENT_TOKEN_INVALID');
    expect(h.store.snapshot().oauthKeys).toEqual({});
  });

  it('consent-csrf-token: a cross-site post, even with the right token, is a 403 problem and mints nothing', async () => {
    const h = await makeHarness();
    const { consent, csrf } = await openConsent(h);
    expectProblem(await decide(h, { consent, csrf, decision: 'approve' }, EVIL), 403, 'CROSS_ORIGIN_CONTROL');
    expectProblem(await decide(h, { consent, csrf, decision: 'approve' }, 'null'), 403, 'CROSS_ORIGIN_CONTROL');
    expect(h.store.snapshot().oauthKeys).toEqual({});
    // The page is still pending: its own origin may decide it.
    expect((await decide(h, { consent, csrf, decision: 'approve' })).status).toBe(200);
  });

  it('consent-csrf-token: what is granted is what the page showed; the form cannot change it', async () => {
    const h = await makeHarness();
    const { consent, csrf } = await openConsent(h);
    expectProblem(await decide(h, { consent, csrf, decision: 'approve', tenant: 'globex' }), 400, 'VALIDATION_FAILED');
    expect(h.store.snapshot().oauthKeys).toEqual({});
  });

  it('consent-no-framing: the consent and outcome pages forbid framing and run only their own code', async () => {
    const h = await makeHarness();
    const { page, consent, csrf } = await openConsent(h);
    const outcome = await decide(h, { consent, csrf, decision: 'approve' });
    for (const res of [page, outcome]) {
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['cache-control']).toBe('no-store');
      const csp = res.headers['content-security-policy'] as string;
      for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"]) expect(csp).toContain(directive);
      const style = /<style>([\s\S]*?)<\/style>/.exec(res.text)![1]!;
      expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    }
    expect(page.headers['content-security-policy']).not.toContain('script-src');
    const script = /<script>([\s\S]*?)<\/script>/.exec(outcome.text)![1]!;
    expect(outcome.headers['content-security-policy']).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  });

  it('consent-deny-page: after Deny the page says so, offers no key, and nothing is minted', async () => {
    const h = await makeHarness();
    const { consent, csrf } = await openConsent(h);
    const outcome = await decide(h, { consent, csrf, decision: 'deny' });
    expect(outcome.status).toBe(200);
    expect(outcome.text).toContain('Access denied');
    expect(outcome.text).toContain('No credential key was issued');
    expect(outcome.text).not.toMatch(/copy the key|credential-key/);
    expect(outcome.text).toContain('"error":"access_denied"');
    expect(h.store.snapshot().oauthKeys).toEqual({});
  });

  it('consent-message-origins: the outcome goes only to the API\'s listed CORS origins; with * to any opener', async () => {
    const listed = await makeHarness({ app: { corsOrigins: ['http://app.test', 'http://localhost:5173'] } });
    const page = await openConsent(listed);
    const outcome = await decide(listed, { consent: page.consent, csrf: page.csrf, decision: 'approve' });
    expect(outcome.text).toContain('for (const origin of ["http://app.test","http://localhost:5173"]) window.opener.postMessage(message, origin);');
    const open = await makeHarness();
    const other = await openConsent(open);
    expect((await decide(open, { consent: other.consent, csrf: other.csrf, decision: 'deny' })).text).toContain('for (const origin of ["*"])');
  });
});

describe('strict-mode-scope', () => {
  it('strict-mode-scope: --jwt-secret guards /v1, the control token guards /__mock, and neither opens the other', async () => {
    const secret = 'jwt-secret';
    const jwt = hs256({ sub: 'dev@acme.test' }, secret);
    const h = await makeHarness({ app: { jwtSecret: secret, controlToken: TOKEN } });
    const api = (auth: string) => request(h.app).get('/v1/tenants/acme/integrations/slack').set('Authorization', `Bearer ${auth}`);
    const control = (auth: string) => request(h.app).get('/__mock/health').set('Authorization', `Bearer ${auth}`);
    expect((await api(jwt)).status).toBe(200);
    expect((await api(TOKEN)).status).toBe(401);
    expectProblem(await control(jwt), 401, 'CONTROL_TOKEN_REQUIRED');
    expect((await control(TOKEN)).status).toBe(200);
  });
});

function hs256(claims: Record<string, unknown>, secret: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
