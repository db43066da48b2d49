import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness } from './helpers.js';

const authorizePath = (integration = 'github') => `/integrations/${integration}:authorize`;
const consumePath = (integration = 'github') => `/integrations/${integration}:consumeOAuthCredentials`;

/** Follows an authorizationUrl the way the popup does: load the consent page, press a button. */
async function decide(app: Parameters<typeof request>[0], authorizationUrl: string, decision: 'approve' | 'deny') {
  const url = new URL(authorizationUrl);
  const page = await request(app).get(url.pathname + url.search);
  expect(page.status).toBe(200);
  const fields = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
  const outcome = await request(app).post('/__mock/oauth/authorize').type('form').send({ ...fields, decision });
  expect(outcome.status).toBe(200);
  const message = /const message = (\{.*\});/.exec(outcome.text)?.[1];
  return { page, outcome, message: JSON.parse(message ?? 'null') as Record<string, any> };
}

describe('POST /integrations/{integration}:authorize', () => {
  it('answers with an authorizationUrl on the mock itself', async () => {
    const { api } = await makeHarness();
    const res = await api.post(authorizePath(), { integrationAuthMetadataId: 'oauth2', scopes: ['repo'] });
    expect(res.status).toBe(200);
    const url = new URL(res.body.authorizationUrl);
    expect(url.pathname).toBe('/__mock/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({ tenant: 'acme', integration: 'github', method: 'oauth2', scopes: 'repo' });
  });

  it('uses the method\'s default scopes when none are asked for', async () => {
    const { api } = await makeHarness();
    const res = await api.post(authorizePath(), { integrationAuthMetadataId: 'oauth2', scopes: null });
    expect(new URL(res.body.authorizationUrl).searchParams.get('scopes')).toBe('repo read:user');
  });

  it.each([
    ['a method that is not OAuth', { integrationAuthMetadataId: 'api_key' }, 400, 'UNKNOWN_AUTH_METHOD'],
    ['a method the integration lacks', { integrationAuthMetadataId: 'saml' }, 400, 'UNKNOWN_AUTH_METHOD'],
    ['a scope the method does not offer', { integrationAuthMetadataId: 'oauth2', scopes: ['admin'] }, 400, 'VALIDATION_FAILED'],
    ['an empty method', { integrationAuthMetadataId: '' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { integrationAuthMetadataId: 'oauth2', redirect: 'x' }, 400, 'VALIDATION_FAILED'],
  ])('is a %s problem', async (_name, body, status, code) => {
    const { api } = await makeHarness();
    expectProblem(await api.post(authorizePath(), body), status, code);
  });

  it('is 404 for an integration the catalog does not have', async () => {
    const { api } = await makeHarness();
    expectProblem(await api.post(authorizePath('myspace'), { integrationAuthMetadataId: 'oauth2' }), 404, 'NOT_FOUND');
  });
});

describe('the consent page', () => {
  it('shows the integration and scopes, and approving hands a usable single-use key to the opener', async () => {
    const { app, api } = await makeHarness();
    const { authorizationUrl } = (await api.post(authorizePath(), { integrationAuthMetadataId: 'oauth2', scopes: ['repo', 'workflow'] })).body;
    const { page, outcome, message } = await decide(app, authorizationUrl, 'approve');

    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Connect GitHub');
    expect(page.text).toContain('<li>workflow</li>');
    expect(outcome.text).toContain('window.opener.postMessage(message');
    expect(message).toEqual({
      type: 'fruxon-oauth',
      status: 'success',
      credentialKey: expect.stringMatching(/^ock_/),
      tenant: 'acme',
      integrationId: 'github',
      authMethodId: 'oauth2',
      scopes: ['repo', 'workflow'],
      configId: null,
    });

    const created = await api.post(configsPath('github'), { displayName: 'gh', oAuthCredentialKey: message.credentialKey });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ hasAuth: true, auth: { integrationAuthMetadataId: 'oauth2', grantedScopes: ['repo', 'workflow'] } });
    expectProblem(await api.post(configsPath('github'), { displayName: 'again', oAuthCredentialKey: message.credentialKey }), 400, 'INVALID_OAUTH_CREDENTIAL_KEY');
  });

  it('completes the grant :verifyAuth asks for, naming the config to the opener', async () => {
    const { app, api } = await makeHarness();
    const config = (await api.post(configsPath('github'), { displayName: 'gh', auth: { integrationAuthMetadataId: 'oauth2' } })).body;
    const verify = await api.post(`${configsPath('github')}/${config.id}:verifyAuth`);
    expect(verify.body).toMatchObject({ success: false, authorizationUrl: expect.stringContaining('/__mock/oauth/authorize') });

    const { message } = await decide(app, verify.body.authorizationUrl, 'approve');
    expect(message.configId).toBe(config.id);
    await api.patch(`${configsPath('github')}/${config.id}`, { oAuthCredentialKey: message.credentialKey });
    expect((await api.post(`${configsPath('github')}/${config.id}:verifyAuth`)).body).toMatchObject({ success: true, authorizationUrl: null });
  });

  it('denying reports access_denied to the opener and mints nothing', async () => {
    const { app, api, mock } = await makeHarness();
    const { authorizationUrl } = (await api.post(authorizePath(), { integrationAuthMetadataId: 'oauth2' })).body;
    const { outcome, message } = await decide(app, authorizationUrl, 'deny');
    expect(outcome.text).toContain('Access denied');
    expect(message).toEqual({
      type: 'fruxon-oauth',
      status: 'error',
      error: 'access_denied',
      errorDescription: expect.any(String),
      tenant: 'acme',
      integrationId: 'github',
      authMethodId: 'oauth2',
      configId: null,
    });
    expect((await mock.get('/state')).body.oauthKeys).toEqual({});
  });

  it('escapes what it echoes', async () => {
    const { mock } = await makeHarness();
    const res = await mock.get(`/oauth/authorize?tenant=acme&integration=github&config=${encodeURIComponent('"><script>x</script>')}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>x');
  });

  it.each([
    ['an unknown integration', '?tenant=acme&integration=myspace', 404],
    ['a method that is not OAuth', '?tenant=acme&integration=github&method=api_key', 400],
    ['no tenant', '?integration=github', 400],
  ])('is a problem for %s', async (_name, query, status) => {
    const { mock } = await makeHarness();
    expectProblem(await mock.get(`/oauth/authorize${query}`), status);
  });
});

describe('POST /__mock/oauth/credential-keys', () => {
  it('mints a key a config create consumes', async () => {
    const { api, mock } = await makeHarness();
    const res = await mock.post('/oauth/credential-keys', { tenant: 'acme', integrationId: 'github', scopes: ['repo'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      key: expect.stringMatching(/^ock_/), tenant: 'acme', integrationId: 'github', authMethodId: 'oauth2', scopes: ['repo'], createdAt: expect.any(Number),
    });
    expect(res.body).not.toHaveProperty('accessToken');
    const created = await api.post(configsPath('github'), { displayName: 'gh', oAuthCredentialKey: res.body.key });
    expect(created.body.hasAuth).toBe(true);
  });

  it('is 404 for an unknown integration and 400 for a non-OAuth method', async () => {
    const { mock } = await makeHarness();
    expectProblem(await mock.post('/oauth/credential-keys', { tenant: 'acme', integrationId: 'myspace' }), 404);
    expectProblem(await mock.post('/oauth/credential-keys', { tenant: 'acme', integrationId: 'telegram' }), 400, 'UNKNOWN_AUTH_METHOD');
  });
});

describe('POST /integrations/{integration}:consumeOAuthCredentials', () => {
  it('binds the key to the config (204) exactly once', async () => {
    const { api, mintKey } = await makeHarness();
    const config = (await api.post(configsPath('github'), { displayName: 'gh' })).body;
    const key = await mintKey('acme', 'github', ['workflow']);
    const res = await api.post(consumePath(), { credentialKey: key, integrationConfigId: config.id });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await api.get(`${configsPath('github')}/${config.id}`)).body).toMatchObject({
      hasAuth: true,
      authMethodId: 'oauth2',
      auth: { grantedScopes: ['workflow'] },
    });
    const reused = expectProblem(await api.post(consumePath(), { credentialKey: key, integrationConfigId: config.id }), 400, 'INVALID_OAUTH_CREDENTIAL_KEY');
    expect(reused.errors).toEqual({ credentialKey: ['it has already been used'] });
  });

  it.each([
    ['a key of another tenant', 'globex', 'github', 'INVALID_OAUTH_CREDENTIAL_KEY'],
    ['a key of another integration', 'acme', 'slack', 'INVALID_OAUTH_CREDENTIAL_KEY'],
  ])('is a 400 for %s, changing nothing', async (_name, tenant, integration, code) => {
    const { api, mintKey } = await makeHarness();
    const config = (await api.post(configsPath('github'), { displayName: 'gh' })).body;
    const key = await mintKey(tenant, integration);
    expectProblem(await api.post(consumePath(), { credentialKey: key, integrationConfigId: config.id }), 400, code);
    expect((await api.get(`${configsPath('github')}/${config.id}`)).body.hasAuth).toBe(false);
  });

  it('is a 400 for a config that is not there, and the key stays usable', async () => {
    const { api, mintKey } = await makeHarness();
    const key = await mintKey('acme', 'github');
    const problem = expectProblem(
      await api.post(consumePath(), { credentialKey: key, integrationConfigId: '00000000-0000-4000-8000-000000000000' }),
      400,
      'INVALID_REFERENCE',
    );
    expect(problem.errors).toHaveProperty(['integrationConfigId']);
    const config = (await api.post(configsPath('github'), { displayName: 'gh', oAuthCredentialKey: key })).body;
    expect(config.hasAuth).toBe(true);
  });

  it('is a 400 for an unknown key', async () => {
    const { api } = await makeHarness();
    const config = (await api.post(configsPath('github'), { displayName: 'gh' })).body;
    expectProblem(await api.post(consumePath(), { credentialKey: 'ock_nope', integrationConfigId: config.id }), 400, 'INVALID_OAUTH_CREDENTIAL_KEY');
  });
});
