import { describe, expect, it } from 'vitest';
import { T0, configsPath, expectProblem, makeHarness } from './helpers.js';

const SANDBOX_MODES = ['NONE', 'VENDOR', 'SIMULATED', 'READ_THROUGH'] as const;

describe('POST /integrations/{integration}/configs', () => {
  it('config-starts-as-draft: answers 200 with a draft that has no published revision', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), { displayName: 'Main workspace' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      integrationId: 'slack',
      displayName: 'Main workspace',
      parameters: {},
      hasAuth: false,
      hasAuthMap: false,
      authMethodId: null,
      auth: null,
      authMapEntries: [],
      sandboxMode: 'NONE',
      sandboxVariant: null,
      publishedRevisionId: null,
      createdBy: expect.stringContaining('@'),
      createdAt: T0,
      modifiedAt: T0,
    });
    const stored = await api.get(`${configsPath()}/${res.body.id}`);
    expect(stored.body).toEqual(res.body);
  });

  it('route-integration-id-wins: silently replaces a mismatched integrationId with the route value', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath('slack'), { displayName: 'x', integrationId: 'github' });
    expect(res.status).toBe(200);
    expect(res.body.integrationId).toBe('slack');
    expect((await api.get(configsPath('github'))).body).toEqual([]);
    expect((await api.get(configsPath('slack'))).body).toHaveLength(1);
  });

  it('display-name-required-nullable: rejects a missing displayName', async () => {
    const { api } = await makeHarness();
    const body = expectProblem(await api.post(configsPath(), {}), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual({ displayName: [expect.stringContaining('displayName')] });
    expect((await api.get(configsPath())).body).toEqual([]);
  });

  it('display-name-required-nullable: accepts an explicit null displayName', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), { displayName: null });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBeNull();
  });

  it.each([
    ['a top-level property', { displayName: 'x', colour: 'blue' }, 'colour'],
    ['a property inside auth', { displayName: 'x', auth: { integrationAuthMetadataId: 'bot_token', token: 'a' } }, 'auth.token'],
    ['a property inside an authMap entry', { displayName: 'x', authMap: [{ parameters: {}, extra: 1 }] }, 'authMap[0].extra'],
  ])('no-unknown-properties: rejects %s and stores nothing', async (_name, body, field) => {
    const { api } = await makeHarness();
    const problem = expectProblem(await api.post(configsPath(), body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty([field]);
    expect((await api.get(configsPath())).body).toEqual([]);
  });

  it.each(SANDBOX_MODES)('sandbox-mode-defaults-to-none: stores sandboxMode %s as sent', async (mode) => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), { displayName: 'x', sandboxMode: mode });
    expect(res.status).toBe(200);
    expect(res.body.sandboxMode).toBe(mode);
  });

  it.each([
    ['omitted', {}],
    ['UNSPECIFIED', { sandboxMode: 'UNSPECIFIED' }],
  ])('sandbox-mode-defaults-to-none: stores NONE when sandboxMode is %s', async (_name, extra) => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), { displayName: 'x', ...extra });
    expect(res.body.sandboxMode).toBe('NONE');
  });

  it.each(['none', 'Vendor', 'SANDBOX', '', 1, null])('sandbox-mode-defaults-to-none: rejects sandboxMode %j', async (mode) => {
    const { api } = await makeHarness();
    const problem = expectProblem(await api.post(configsPath(), { displayName: 'x', sandboxMode: mode }), 400);
    expect(problem.errors).toHaveProperty(['sandboxMode']);
    expect((await api.get(configsPath())).body).toEqual([]);
  });

  it('unknown-auth-method-400: rejects an auth method the integration does not offer, naming the ones it does', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath('telegram'), {
      displayName: 'x',
      auth: { integrationAuthMetadataId: 'oauth2', parameters: {} },
    });
    const problem = expectProblem(res, 400, 'UNKNOWN_AUTH_METHOD');
    expect(problem.detail).toContain('bot_token');
    expect(problem.errors).toEqual({ 'auth.integrationAuthMetadataId': [expect.stringContaining('bot_token')] });
    expect((await api.get(configsPath('telegram'))).body).toEqual([]);
  });

  it('unknown-auth-method-400: rejects an auth level the method does not support', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath('telegram'), {
      displayName: 'x',
      auth: { integrationAuthMetadataId: 'bot_token', level: 'USER', parameters: { token: 't' } },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('unknown-integration-404: is 404 for an integration the catalog does not have', async () => {
    const { api } = await makeHarness();
    const problem = expectProblem(await api.post(configsPath('myspace'), { displayName: 'x' }), 404, 'NOT_FOUND');
    expect(problem.detail).toContain('myspace');
  });

  it('fakes grantedScopes from the OAuth method scopes of the integration', async () => {
    const { api, catalog } = await makeHarness();
    const res = await api.post(configsPath('github'), {
      displayName: 'x',
      auth: { integrationAuthMetadataId: 'oauth2', parameters: { access_token: 'gho_x' } },
    });
    const offered = catalog.integrations.find((i) => i.id === 'github')!.authMethods[0]!.availableScopes;
    expect(res.body.auth.grantedScopes.length).toBeGreaterThan(0);
    for (const scope of res.body.auth.grantedScopes) expect(offered).toContain(scope);
  });
});

describe('secrets-never-returned', () => {
  const MARK = 'SECRET-MARKER-7f3a';

  it('never echoes credential values, in any read, while storing them', async () => {
    const { api, store } = await makeHarness();
    const created = await api.post(configsPath(), {
      displayName: 'x',
      parameters: { workspace_domain: 'acme', signing_secret: `${MARK}-param` },
      auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: `${MARK}-auth` } },
      authMap: [{ parameters: { team: 'T1' }, authConfig: { integrationAuthMetadataId: 'bot_token', parameters: { token: `${MARK}-map` } } }],
      sandboxVariant: {
        parameters: { signing_secret: `${MARK}-sandbox` },
        auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: `${MARK}-sandbox-auth` } },
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    const base = `${configsPath()}/${id}`;
    const published = await api.post(`${base}:publish`, {});
    const patched = await api.patch(base, { displayName: 'y' });
    const responses = [
      created,
      published,
      patched,
      await api.get(base),
      await api.get(configsPath()),
      await api.get(`${base}/revisions`),
      await api.get(`${base}/revisions/${published.body.id}`),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(MARK);
    }
    expect(created.body).toMatchObject({
      hasAuth: true,
      hasAuthMap: true,
      authMethodId: 'bot_token',
      auth: { level: 'APPLICATION', integrationAuthMetadataId: 'bot_token', grantedScopes: [] },
      authMapEntries: [{ parameters: { team: 'T1' } }],
      parameters: { workspace_domain: 'acme' },
      sandboxVariant: { auth: { integrationAuthMetadataId: 'bot_token', parameters: {} } },
    });
    expect(published.body.auth).toEqual({ integrationAuthMetadataId: 'bot_token', level: 'APPLICATION', parameters: {} });
    expect(JSON.stringify(store.snapshot())).toContain(`${MARK}-auth`);
  });
});

describe('oauth-key-single-use', () => {
  it('consumes a key on create and binds a config-scoped auth with the granted scopes', async () => {
    const { api, mintKey } = await makeHarness();
    const key = await mintKey('acme', 'slack', ['chat:write', 'users:read']);
    const res = await api.post(configsPath(), { displayName: 'x', oAuthCredentialKey: key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      hasAuth: true,
      authMethodId: 'oauth2',
      auth: { level: 'APPLICATION', integrationAuthMetadataId: 'oauth2', grantedScopes: ['chat:write', 'users:read'] },
    });
    expect(res.text).not.toMatch(/at_[A-Za-z0-9]{48}/);
    const verify = await api.post(`${configsPath()}/${res.body.id}:verifyAuth`);
    expect(verify.body).toMatchObject({ success: true, error: null, authorizationUrl: null });
  });

  it('oauth-key-rejected-400: rejects a key that was already used, and stores nothing', async () => {
    const { api, mintKey } = await makeHarness();
    const key = await mintKey('acme', 'slack');
    expect((await api.post(configsPath(), { displayName: 'first', oAuthCredentialKey: key })).status).toBe(200);
    const problem = expectProblem(await api.post(configsPath(), { displayName: 'second', oAuthCredentialKey: key }), 400, 'INVALID_OAUTH_CREDENTIAL_KEY');
    expect(problem.detail).toContain('already been used');
    expect(problem.errors).toHaveProperty(['oAuthCredentialKey']);
    const list = await api.get(configsPath());
    expect(list.body.map((c: { displayName: string }) => c.displayName)).toEqual(['first']);
  });

  it.each([
    ['an unknown key', async () => 'ock_never_issued', 'slack', 'acme'],
    ['a key minted for another integration', (mint: Mint) => mint('acme', 'github'), 'slack', 'acme'],
    ['a key minted for another tenant', (mint: Mint) => mint('globex', 'slack'), 'slack', 'acme'],
  ])('rejects %s with 400 and stores nothing', async (_name, makeKey, integration, tenant) => {
    const { as, mintKey, store } = await makeHarness();
    const key = await makeKey(mintKey);
    const before = store.counts();
    const res = await as(tenant).post(configsPath(integration), { displayName: 'x', oAuthCredentialKey: key });
    expectProblem(res, 400, 'INVALID_OAUTH_CREDENTIAL_KEY');
    expect(store.counts()).toEqual(before);
    expect((await as(tenant).get(configsPath(integration))).body).toEqual([]);
  });

  it('a key rejected by a failing create stays usable', async () => {
    const { api, mintKey } = await makeHarness();
    const key = await mintKey('acme', 'slack');
    const bad = await api.post(configsPath(), { displayName: 'x', oAuthCredentialKey: key, auth: { integrationAuthMetadataId: 'nope' } });
    expectProblem(bad, 400, 'UNKNOWN_AUTH_METHOD');
    expect((await api.post(configsPath(), { displayName: 'x', oAuthCredentialKey: key })).status).toBe(200);
  });

  it('consumes a key on PATCH too, and only once', async () => {
    const { api, mintKey } = await makeHarness();
    const key = await mintKey('acme', 'github', ['repo']);
    const created = await api.post(configsPath('github'), { displayName: 'x' });
    const path = `${configsPath('github')}/${created.body.id}`;
    const patched = await api.patch(path, { oAuthCredentialKey: key });
    expect(patched.body).toMatchObject({ hasAuth: true, authMethodId: 'oauth2', auth: { grantedScopes: ['repo'] } });
    expectProblem(await api.patch(path, { oAuthCredentialKey: key, displayName: 'changed' }), 400, 'INVALID_OAUTH_CREDENTIAL_KEY');
    expect((await api.get(path)).body.displayName).toBe('x');
  });
});

type Mint = (tenant: string, integrationId: string) => Promise<string>;
