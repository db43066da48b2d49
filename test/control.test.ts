import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { RULES } from '../src/rules.js';
import { configsPath, expectProblem, makeHarness } from './helpers.js';

const CONTROL = { Authorization: 'Bearer ct' };

describe('GET /__mock/health', () => {
  it('answers without a token and says what the mock runs with', async () => {
    const { mock } = await makeHarness();
    const res = await mock.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      store: { status: 'ok' },
      operations: expect.any(Number),
      validation: 'strict',
      journal: { size: 0, capacity: 200 },
      faults: 0,
      stubs: 0,
    });
  });

  it('is a problem+json 404 for a control path that does not exist', async () => {
    const { mock } = await makeHarness();
    expectProblem(await mock.get('/nope'), 404);
  });
});

describe('POST /__mock/reset', () => {
  it('empties the store, the journal and the fault rules, and ids start over', async () => {
    const { api, mock } = await makeHarness();
    const first = await api.post(configsPath(), { displayName: 'a' });
    await mock.post('/faults', { operationId: 'getIntegration', status: 404 });

    expect((await mock.post('/reset')).status).toBe(204);

    expect((await api.get(configsPath())).body).toEqual([]);
    expect((await mock.get('/requests')).body.items).toHaveLength(1); // the list just now
    expect((await mock.get('/faults')).body.items).toEqual([]);
    expect((await api.get('/integrations/slack')).status).toBe(200); // the catalog comes from the fixtures
    const again = await api.post(configsPath(), { displayName: 'a' });
    expect(again.body.id).toBe(first.body.id);
  });

  it('with ?tenant= removes only that tenant\'s records, requests and rules', async () => {
    const { api, as, mock } = await makeHarness();
    await api.post(configsPath(), { displayName: 'acme' });
    const other = await as('globex').post(configsPath(), { displayName: 'globex' });
    await mock.post('/faults', { operationId: 'getIntegration', status: 404, tenant: 'acme' });
    await mock.post('/faults', { operationId: 'getIntegration', status: 404, tenant: 'globex' });

    expect((await mock.post('/reset?tenant=acme')).status).toBe(204);

    const journal = (await mock.get('/requests')).body.items as { tenant: string }[];
    expect(journal.map((e) => e.tenant)).toEqual(['globex']);
    expect((await mock.get('/faults')).body.items).toEqual([expect.objectContaining({ tenant: 'globex' })]);
    expect((await api.get(configsPath())).body).toEqual([]);
    expect((await as('globex').get(configsPath())).body).toEqual([other.body]);
  });
});

describe('GET and PUT /__mock/state', () => {
  it('exports a snapshot that imports back into another mock', async () => {
    // Secrets leave only to a caller with the control token (state-secrets-need-token, test/security.test.ts).
    const withToken = { app: { controlToken: 'ct' } };
    const source = await makeHarness(withToken);
    const created = await source.api.post(configsPath('github'), {
      displayName: 'gh',
      auth: { integrationAuthMetadataId: 'api_key', parameters: { token: 'ghp_secret' } },
    });
    const redacted = await source.mock.get('/state').set(CONTROL);
    expect(redacted.status).toBe(200);
    expect(redacted.body.configs[created.body.id].auth.parameters).toEqual({ token: '[redacted]' });
    expect(redacted.text).not.toContain('ghp_secret');
    const snapshot = await source.mock.get('/state?includeSecrets=true').set(CONTROL);
    expect(snapshot.body.configs[created.body.id].auth.parameters).toEqual({ token: 'ghp_secret' });

    const target = await makeHarness(withToken);
    expect((await target.mock.put('/state', snapshot.body).set(CONTROL)).status).toBe(204);
    expect((await target.api.get(`${configsPath('github')}/${created.body.id}`)).body).toEqual(created.body);
    expect((await target.mock.get('/state?includeSecrets=true').set(CONTROL)).body).toEqual(snapshot.body);
  });

  it('exports one tenant with ?tenant=', async () => {
    const { api, as, mock } = await makeHarness();
    const mine = await api.post(configsPath(), { displayName: 'acme' });
    await as('globex').post(configsPath(), { displayName: 'globex' });
    const res = await mock.get('/state?tenant=acme');
    expect(Object.keys(res.body.configs)).toEqual([mine.body.id]);
  });

  it.each([
    ['a wrong schema version', (s: Record<string, any>) => ({ ...s, meta: { schemaVersion: 9, sequence: 0 } })],
    ['a missing collection', (s: Record<string, any>) => ({ meta: s.meta, configs: {}, revisions: {} })],
    ['an unknown collection', (s: Record<string, any>) => ({ ...s, widgets: {} })],
    ['a record without a tenant', (s: Record<string, any>) => ({ ...s, configs: { a: { id: 'a' } } })],
    ['a record under another id', (s: Record<string, any>) => ({ ...s, configs: { a: { id: 'b', tenant: 'acme' } } })],
  ])('rejects %s with 422 and changes nothing', async (_name, spoil) => {
    const { api, mock } = await makeHarness();
    const kept = await api.post(configsPath(), { displayName: 'kept' });
    const before = (await mock.get('/state')).body;
    const res = await mock.put('/state', spoil(before));
    expectProblem(res, 422, 'UNPROCESSABLE');
    expect((await mock.get('/state')).body).toEqual(before);
    expect((await api.get(configsPath())).body).toEqual([kept.body]);
  });

  it('rejects a body that is not a state object with 400', async () => {
    const { mock } = await makeHarness();
    expectProblem(await mock.put('/state', [1, 2]), 400);
  });
});

describe('the contract and the rules', () => {
  it('serves the API spec as JSON and as YAML', async () => {
    const { mock } = await makeHarness();
    const json = await mock.get('/openapi.json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toBe('3.1.0');
    expect(json.body.paths).toHaveProperty(['/v1/tenants/{tenant}/integrations/{integration}:authorize']);
    const yaml = await mock.get('/openapi.yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.headers['content-type']).toMatch(/^application\/yaml/);
    expect(load(yaml.text)).toEqual(json.body);
  });

  it('lists the documented behaviours it enforces', async () => {
    const { mock } = await makeHarness();
    const res = await mock.get('/rules');
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
  });
});
