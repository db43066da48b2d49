import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const CRM = {
  id: 'acme_crm',
  displayName: 'Acme CRM',
  description: 'The in-house CRM.',
  configMetadata: {
    parametersMetadata: [
      { name: 'base_url', type: 'String', required: true, defaultValue: 'https://crm.acme.test', options: [{ value: 'a', label: 'A' }] },
      { name: 'signing_key', secret: true, defaultValue: 'CRM-DEFAULT-SECRET' },
    ],
    authMetadata: [
      {
        id: 'api_key',
        type: 'API_KEY',
        configTestSupported: true,
        authProviderName: 'acme',
        authSettings: { parameters: { client_secret: 'CRM-CLIENT-SECRET' } },
        parametersMetadata: [{ name: 'key', required: true, secret: true }],
      },
      { id: 'legacy', type: 'BASIC', parametersMetadata: [{ name: 'user', required: true }] },
    ],
  },
};

async function createCrm(h: Harness, body: object = CRM) {
  const res = await h.api.post('/integrations', body);
  expect(res.status, res.text).toBe(200);
  return res;
}

describe('POST /integrations', () => {
  it('custom-integration-create: creates a CUSTOM integration and answers with it', async () => {
    const h = await makeHarness();
    const res = await createCrm(h);
    expect(res.body).toMatchObject({
      id: 'acme_crm',
      displayName: 'Acme CRM',
      description: 'The in-house CRM.',
      type: 'CUSTOM',
      tags: [],
      isInternal: false,
      toolCount: 0,
      createdAt: expect.any(Number),
    });
    expect(res.body.configMetadata.parametersMetadata[0]).toMatchObject({
      name: 'base_url',
      index: 0,
      type: 'String',
      required: true,
      secret: false,
      defaultValue: 'https://crm.acme.test',
      options: [{ value: 'a', label: 'A', description: null }],
    });
    expect(res.body.configMetadata.authMetadata[0]).toMatchObject({ id: 'api_key', type: 'API_KEY', authProviderName: 'acme', configTestSupported: true });
    expect((await h.api.get('/integrations/acme_crm')).body).toEqual(res.body);
  });

  it('custom-integration-credentials-hidden: authSettings values and secret defaults are stored but never returned', async () => {
    const h = await makeHarness();
    const res = await createCrm(h);
    expect(res.body.configMetadata.authMetadata[0].authSettings).toEqual({ parameters: {} });
    expect(res.body.configMetadata.parametersMetadata[1].defaultValue).toBeNull();
    const reads = [res, await h.api.get('/integrations/acme_crm'), await h.api.get('/integrations'), await h.mock.get('/requests'), await h.mock.get('/state')];
    for (const read of reads) {
      expect(read.text).not.toContain('CRM-CLIENT-SECRET');
      expect(read.text).not.toContain('CRM-DEFAULT-SECRET');
    }
    expect(JSON.stringify(h.store.snapshot())).toContain('CRM-CLIENT-SECRET');
  });

  it('custom-integration-create: an id of a fixture or of an existing custom integration is a 400 on id', async () => {
    const h = await makeHarness();
    await createCrm(h);
    for (const id of ['slack', 'acme_crm']) {
      const body = expectProblem(await h.api.post('/integrations', { id }), 400, 'VALIDATION_FAILED');
      expect(body.errors).toHaveProperty('id');
    }
    expect(h.store.counts().integrations).toBe(1);
  });

  it('custom-integration-id-required: no id, or one that is not letters, digits, _ and -, is a 400 that stores nothing', async () => {
    const h = await makeHarness();
    for (const body of [{}, { id: null }, { id: 'has space' }, { id: 'a/b' }, { id: '' }, { id: 'x'.repeat(129) }]) {
      const problem = expectProblem(await h.api.post('/integrations', body), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toHaveProperty('id');
    }
    expect((await h.api.post('/integrations', { id: 'x'.repeat(128) })).status).toBe(200);
    expect(h.store.counts().integrations).toBe(1);
  });

  it('custom-integration-lengths: displayName up to 100 and description up to 500 characters', async () => {
    const h = await makeHarness();
    expect((await h.api.post('/integrations', { id: 'a', displayName: 'n'.repeat(100), description: 'd'.repeat(500) })).status).toBe(200);
    const long = expectProblem(await h.api.post('/integrations', { id: 'b', displayName: 'n'.repeat(101), description: 'd'.repeat(501) }), 400);
    expect(Object.keys(long.errors as object).sort()).toEqual(['description', 'displayName']);
    expectProblem(await h.api.put('/integrations/a', { description: 'd'.repeat(501) }), 400);
    expect(h.store.counts().integrations).toBe(1);
  });

  it('no-unknown-properties: unknown members at the top or inside configMetadata are a 400', async () => {
    const h = await makeHarness();
    expectProblem(await h.api.post('/integrations', { id: 'a', tags: ['x'] }), 400, 'VALIDATION_FAILED');
    expectProblem(await h.api.post('/integrations', { id: 'a', configMetadata: { parametersMetadata: [{ name: 'p', colour: 'red' }] } }), 400);
    expect(h.store.counts().integrations).toBe(0);
  });

  it('custom-integration-defaults: a bare integration reads back with its id as name and the documented defaults', async () => {
    const h = await makeHarness();
    const res = await h.api.post('/integrations', {
      id: 'bare',
      configMetadata: { parametersMetadata: [{ name: 'p' }], authMetadata: [{ id: 'm' }] },
    });
    expect(res.body).toMatchObject({ id: 'bare', displayName: 'bare', description: '', type: 'CUSTOM', toolCount: 0 });
    expect(res.body.configMetadata.parametersMetadata[0]).toMatchObject({ name: 'p', type: 'String', displayName: 'p', required: false, secret: false });
    expect(res.body.configMetadata.authMetadata[0]).toMatchObject({ id: 'm', configTestSupported: false, supportedLevels: ['APPLICATION'] });
  });

  it('custom-integration-create: duplicate parameter names or auth method ids are a 400 naming each', async () => {
    const h = await makeHarness();
    const res = expectProblem(
      await h.api.post('/integrations', { id: 'dup', configMetadata: { parametersMetadata: [{ name: 'p' }, { name: 'p' }], authMetadata: [{ id: 'm' }, { id: 'm' }] } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(Object.keys(res.errors as object).sort()).toEqual(['configMetadata.authMetadata[1].id', 'configMetadata.parametersMetadata[1].name']);
  });
});

describe('custom integrations in the catalog', () => {
  it('custom-integration-per-tenant: listed after the fixtures for its tenant only; others get 404', async () => {
    const h = await makeHarness();
    await createCrm(h);
    const list = await h.api.get('/integrations?pageSize=500');
    const ids = list.body.items.map((i: { id: string }) => i.id);
    expect(ids.at(-1)).toBe('acme_crm');
    expect(list.body.totalCount).toBe(ids.length);
    expect((await h.api.get('/integrations?types=CUSTOM')).body.items.map((i: { id: string }) => i.id)).toEqual(['acme_crm']);
    expect((await h.api.get('/integrations?search=in-house')).body.totalCount).toBe(1);
    expect((await h.api.get('/integrations/acme_crm/tools')).body).toEqual({ items: [], nextPageToken: null, totalCount: 0 });
    const other = h.as('globex');
    expect((await other.get('/integrations?pageSize=500')).body.items.map((i: { id: string }) => i.id)).not.toContain('acme_crm');
    expectProblem(await other.get('/integrations/acme_crm'), 404);
    expectProblem(await other.get('/integrations/acme_crm/tools'), 404);
    expectProblem(await other.post(configsPath('acme_crm'), { displayName: 'x' }), 404);
    // Another tenant may use the same id for its own integration.
    expect((await other.post('/integrations', { id: 'acme_crm' })).status).toBe(200);
  });

  it('custom-integration-per-tenant: configs are created on it with its auth methods, and secret parameters are hidden', async () => {
    const h = await makeHarness();
    await createCrm(h);
    const res = await h.api.post(configsPath('acme_crm'), {
      displayName: 'Prod',
      parameters: { base_url: 'https://crm.example', signing_key: 'CONFIG-SIGNING-SECRET' },
      auth: { integrationAuthMetadataId: 'api_key', parameters: { key: 'CONFIG-KEY-SECRET' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ integrationId: 'acme_crm', parameters: { base_url: 'https://crm.example' }, hasAuth: true });
    expect(res.body.parameters).not.toHaveProperty('signing_key');
    const path = `${configsPath('acme_crm')}/${res.body.id}`;
    expect((await h.api.post(`${path}:verifyAuth`)).body).toMatchObject({ success: true });
    expectProblem(await h.api.post(configsPath('acme_crm'), { displayName: 'x', auth: { integrationAuthMetadataId: 'oauth2' } }), 400, 'UNKNOWN_AUTH_METHOD');
    const journal = await h.mock.get('/requests');
    expect(journal.text).not.toContain('CONFIG-SIGNING-SECRET');
    expect(journal.text).not.toContain('CONFIG-KEY-SECRET');
  });
});

describe('custom integrations behind participant channels', () => {
  it('custom-integration-per-tenant: a channel on a custom integration\'s config is reachable, not CONFIG_NOT_FOUND', async () => {
    const h = await makeHarness();
    await createCrm(h);
    const config = await h.api.post(configsPath('acme_crm'), { displayName: 'Prod' });
    const res = await h.api.post('/participants', { displayName: 'Ada', channels: [{ integrationConfigId: config.body.id, address: 'ada-42' }] });
    expect(res.status).toBe(200);
    expect(res.body.health).toMatchObject({ reachable: true, reason: null, channels: [{ reason: null, keyStatus: 'UNSPECIFIED' }] });
  });
});

describe('PUT /integrations/{integration}', () => {
  it('custom-integration-update: null or absent fields keep; omitted credentials are kept, sent ones replace key by key', async () => {
    const h = await makeHarness();
    await createCrm(h);
    const methods = CRM.configMetadata.authMetadata.map(({ authSettings: _drop, ...m }) => m);
    const res = await h.api.put('/integrations/acme_crm', {
      displayName: null,
      description: 'Renamed',
      configMetadata: { parametersMetadata: [{ name: 'base_url' }], authMetadata: methods },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Acme CRM', description: 'Renamed' });
    expect(res.body.configMetadata.parametersMetadata.map((p: { name: string }) => p.name)).toEqual(['base_url']);
    expect(res.body.modifiedAt).toBeGreaterThan(res.body.createdAt);
    const stored = () => h.store.findCustomIntegration('acme', 'acme_crm')!.configMetadata.authMetadata[0]!.authSettings;
    expect(stored()).toEqual({ parameters: { client_secret: 'CRM-CLIENT-SECRET' } });
    await h.api.put('/integrations/acme_crm', {
      configMetadata: { authMetadata: [{ ...methods[0], authSettings: { parameters: { client_id: 'id-1' } } }] },
    });
    expect(stored()).toEqual({ parameters: { client_secret: 'CRM-CLIENT-SECRET', client_id: 'id-1' } });
    // parametersMetadata was left out of that update, so it was kept.
    expect((await h.api.get('/integrations/acme_crm')).body.configMetadata.parametersMetadata.map((p: { name: string }) => p.name)).toEqual(['base_url']);
  });

  it('fixture-integrations-read-only: an update of a fixture integration is a 404 and changes nothing', async () => {
    const h = await makeHarness();
    const before = (await h.api.get('/integrations/slack')).body;
    expectProblem(await h.api.put('/integrations/slack', { displayName: 'Mine now' }), 404);
    expect((await h.api.get('/integrations/slack')).body).toEqual(before);
    expectProblem(await h.api.put('/integrations/nope', {}), 404);
    expectProblem(await h.as('globex').put('/integrations/acme_crm', {}), 404);
  });
});

describe('DELETE /integrations/{integration}', () => {
  it('custom-integration-delete-needs-no-configs: refused while a config exists, then 204 once it is deleted', async () => {
    const h = await makeHarness();
    await createCrm(h);
    const config = await h.api.post(configsPath('acme_crm'), { displayName: 'Prod' });
    expectProblem(await h.api.delete('/integrations/acme_crm'), 400, 'INTEGRATION_HAS_CONFIGS');
    expect((await h.api.get('/integrations/acme_crm')).status).toBe(200);
    expect((await h.api.delete(`${configsPath('acme_crm')}/${config.body.id}`)).status).toBe(204);
    expect((await h.api.delete('/integrations/acme_crm')).status).toBe(204);
    expectProblem(await h.api.get('/integrations/acme_crm'), 404);
    expectProblem(await h.api.delete('/integrations/acme_crm'), 404);
    expect(h.store.counts().integrations).toBe(0);
  });

  it('fixture-integrations-read-only: a fixture (system) integration cannot be deleted: 404', async () => {
    const h = await makeHarness();
    expectProblem(await h.api.delete('/integrations/slack'), 404);
    expect((await h.api.get('/integrations/slack')).status).toBe(200);
  });

  it('tenant-isolation: another tenant cannot delete it', async () => {
    const h = await makeHarness();
    await createCrm(h);
    expectProblem(await h.as('globex').delete('/integrations/acme_crm'), 404);
    expect((await h.api.get('/integrations/acme_crm')).status).toBe(200);
  });
});

describe('POST /integrations/{integration}:verifyConfig', () => {
  it('verify-config-ad-hoc: verifies the credentials sent, stores nothing and echoes no credential', async () => {
    const h = await makeHarness();
    const before = h.store.snapshot();
    const good = await h.api.post('/integrations/telegram:verifyConfig', {
      authMetadataId: 'bot_token',
      authConfig: { parameters: { token: 'ADHOC-SECRET' } },
    });
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ success: true, error: null, authorizationUrl: null, authMapResults: [] });
    const missing = await h.api.post('/integrations/email:verifyConfig', {
      authMetadataId: 'basic',
      authConfig: { parameters: { username: 'u' } },
      configParameters: { host: 'smtp.example' },
    });
    expect(missing.body).toMatchObject({ success: false, error: 'Missing required credential(s): password.' });
    expect(h.store.snapshot()).toEqual(before);
    expect((await h.mock.get('/requests')).text).not.toContain('ADHOC-SECRET');
    expect(good.text + missing.text).not.toContain('ADHOC-SECRET');
  });

  it('verify-config-ad-hoc: an OAuth method answers with the consent URL', async () => {
    const h = await makeHarness();
    const res = await h.api.post('/integrations/github:verifyConfig', { authMetadataId: 'oauth2', authConfig: {} });
    expect(res.body).toMatchObject({ success: false, authorizationUrl: expect.stringContaining('/__mock/oauth/authorize?tenant=acme&integration=github&method=oauth2') });
  });

  it('verify-config-supported: a method without configTestSupported is a 400; an unknown one too', async () => {
    const h = await makeHarness();
    await createCrm(h);
    expectProblem(await h.api.post('/integrations/acme_crm:verifyConfig', { authMetadataId: 'legacy', authConfig: {} }), 400, 'VERIFICATION_NOT_SUPPORTED');
    expect((await h.api.post('/integrations/acme_crm:verifyConfig', { authMetadataId: 'api_key', authConfig: { parameters: { key: 'k' } } })).body.success).toBe(true);
    expectProblem(await h.api.post('/integrations/slack:verifyConfig', { authMetadataId: 'nope', authConfig: {} }), 400, 'UNKNOWN_AUTH_METHOD');
  });

  it('verify-config-ad-hoc: invalid bodies are 400 with field errors; unknown integrations 404', async () => {
    const h = await makeHarness();
    const noConfig = expectProblem(await h.api.post('/integrations/slack:verifyConfig', { authMetadataId: 'bot_token' }), 400, 'VALIDATION_FAILED');
    expect(noConfig.errors).toHaveProperty('authConfig');
    const noMethod = expectProblem(await h.api.post('/integrations/slack:verifyConfig', { authMetadataId: null, authConfig: {} }), 400);
    expect(noMethod.errors).toHaveProperty('authMetadataId');
    expectProblem(await h.api.post('/integrations/nope:verifyConfig', { authMetadataId: 'x', authConfig: {} }), 404);
  });
});
