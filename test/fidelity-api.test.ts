import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, T0, configsPath, expectProblem, makeHarness } from './helpers.js';

// The API-wide and catalog rules of issue 12, as a client sees them.

const TRACE_ID = /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/;
const PARAMETER_FIELDS = ['name', 'index', 'type', 'typeName', 'integerRange', 'floatRange', 'options', 'asset', 'displayName',
  'description', 'required', 'secret', 'defaultValue', 'jsonSchema', 'uiHint', 'rules'];

describe('the catalog', () => {
  it('catalog-config-metadata: every documented field, with options, ranges, a rule, a JSON schema and an auth map', async () => {
    const { api } = await makeHarness();
    const { configMetadata } = (await api.get('/integrations/github')).body;
    for (const p of configMetadata.parametersMetadata) expect(Object.keys(p).sort()).toEqual([...PARAMETER_FIELDS].sort());
    const byName = Object.fromEntries(configMetadata.parametersMetadata.map((p: { name: string }) => [p.name, p]));
    expect(byName.deployment.options).toEqual([
      { value: 'CLOUD', label: 'github.com', description: "GitHub's hosted service." },
      { value: 'ENTERPRISE_SERVER', label: 'GitHub Enterprise Server', description: 'A self-hosted instance; set the API base URL.' },
    ]);
    expect(byName.page_size).toMatchObject({ type: 'Integer', integerRange: { min: 1, max: 100 }, floatRange: null, defaultValue: 30 });
    expect(byName.rate_limit_share.floatRange).toEqual({ min: 0.1, max: 1 });
    expect(byName.base_url.rules).toEqual([{ effect: 'SHOW', all: [{ sourceParam: 'deployment', operator: 'EQUALS', values: ['ENTERPRISE_SERVER'] }] }]);
    expect(byName.label_colors.jsonSchema).toMatchObject({ type: 'object' });
    expect(byName.default_owner).toMatchObject({ typeName: null, options: null, asset: null, jsonSchema: null, uiHint: null, rules: [], defaultValue: null });
    const apiKey = configMetadata.authMetadata.find((m: { id: string }) => m.id === 'api_key');
    expect(apiKey).toMatchObject({
      sensitivity: 'UNSPECIFIED',
      authProviderName: 'github',
      authMap: { useMap: true, keyTemplate: '{owner}', parametersMetadata: [expect.objectContaining({ name: 'owner', index: 0, required: true })] },
      authSettings: { parameters: {} },
      availableScopes: [],
    });
    const slack = (await api.get('/integrations/slack')).body.configMetadata.authMetadata[0];
    expect(slack.authMap).toEqual({ useMap: false, keyTemplate: null, parametersMetadata: [] });
  });

  it('catalog-mock-vocabularies: auth metadata types are the mock\'s four names, rule vocabularies SHOW and EQUALS', async () => {
    const { api } = await makeHarness();
    const items = (await api.get('/integrations?page_size=50')).body.items as { configMetadata: { authMetadata: { type: string }[] } }[];
    const types = new Set(items.flatMap((i) => i.configMetadata.authMetadata.map((m) => m.type)));
    expect([...types].sort()).toEqual(['API_KEY', 'BASIC', 'BEARER_TOKEN', 'OAUTH2']);
  });

  it('tool-action-type-values: every tool\'s actionType is a documented value', async () => {
    const { api } = await makeHarness();
    const tools = (await api.get('/integrations/slack/tools')).body.items as { actionType: string }[];
    for (const t of tools) expect(['UNSPECIFIED', 'READ_ONLY', 'REVERSIBLE', 'IRREVERSIBLE']).toContain(t.actionType);
    expect(tools.map((t) => t.actionType)).toEqual(['READ_ONLY', 'IRREVERSIBLE', 'READ_ONLY']);
  });
});

describe('binding like ASP.NET', () => {
  it('query-names-case-insensitive: SEARCH, page_SIZE and AuthMapIndex bind as search, page_size and authMapIndex', async () => {
    const { api } = await makeHarness();
    const found = await api.get('/integrations?SEARCH=git&PAGE_SIZE=1');
    expect(found.body).toMatchObject({ items: [{ id: 'github' }], totalCount: 1 });
    const config = (await api.post(configsPath(), { displayName: 'x', authMap: [{ parameters: { team: 'A' } }, { parameters: { team: 'B' } }] })).body;
    const res = await api.post(`${configsPath()}/${config.id}:verifyAuth?AuthMapIndex=1`);
    expect(res.body.authMapResults).toEqual([expect.objectContaining({ parameters: { team: 'B' } })]);
  });

  it.each(['strict', 'warn', 'off'] as const)('unknown-query-ignored: in %s mode an undeclared query parameter changes nothing and reports nothing', async (validation) => {
    const { api } = await makeHarness({ app: { validation } });
    const res = await api.get('/integrations?colour=blue&search=slack');
    expect(res.status).toBe(200);
    expect(res.headers['x-mock-violations']).toBeUndefined();
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(['slack']);
  });
});

describe('errors', () => {
  it('problem-details: a 404 is application/problem+json with type, title, status, detail and instance', async () => {
    const { api } = await makeHarness();
    const body = expectProblem(await api.get(`${configsPath()}/00000000-0000-4000-8000-000000000000`), 404);
    expect(body).toMatchObject({ type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found', status: 404 });
    expect(body.instance).toBe('/v1/tenants/acme/integrations/slack/configs/00000000-0000-4000-8000-000000000000');
  });

  it('problem-trace-id: every problem has a W3C traceId, different per request, the same for the same requests', async () => {
    const run = async () => {
      const { api } = await makeHarness();
      const a = expectProblem(await api.get('/integrations/nope'), 404);
      const b = expectProblem(await api.post(configsPath(), { displayName: 5 }), 400);
      return [a.traceId, b.traceId];
    };
    const first = await run();
    for (const id of first) expect(id).toMatch(TRACE_ID);
    expect(first[0]).not.toBe(first[1]);
    expect(await run()).toEqual(first);
  });

  it('problem-code-extension: problems name their template in code, a member the real API does not send', async () => {
    const { api } = await makeHarness();
    expect(expectProblem(await api.post(configsPath(), {}), 400).code).toBe('VALIDATION_FAILED');
  });

  it('bearer-required: a call without a bearer token is refused and changes nothing', async () => {
    const { app, store } = await makeHarness();
    const res = await request(app).post(`/v1/tenants/acme${configsPath()}`).send({ displayName: 'x' });
    expect(res.status).toBe(401);
    expect(store.counts().configs).toBe(0);
  });

  it('unauthorized-empty-body: the 401 has no body and WWW-Authenticate: Bearer', async () => {
    const { app } = await makeHarness();
    const res = await request(app).get('/v1/tenants/acme/integrations').set('Authorization', 'Basic abc');
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('body-size-ceiling: a body over 1 MB is a 413 and stores nothing', async () => {
    const { app, store } = await makeHarness();
    const res = await request(app).post(`/v1/tenants/acme${configsPath()}`).set(AUTH).set('Content-Type', 'application/json')
      .send(JSON.stringify({ displayName: 'x'.repeat(1_100_000) }));
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(store.counts().configs).toBe(0);
  });

  it('enums-exact-spelling: an enum in another casing is a 400 naming the field, and stores nothing', async () => {
    const { api, store } = await makeHarness();
    const problem = expectProblem(await api.post(configsPath(), { displayName: 'x', sandboxMode: 'none' }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['sandboxMode']);
    expect(store.counts().configs).toBe(0);
  });
});

describe('shapes where the docs are silent', () => {
  it('creates-answer-200: a create answers 200 with the record and no Location', async () => {
    const { api } = await makeHarness();
    for (const res of [await api.post(configsPath(), { displayName: 'x' }), await api.post('/participants', { displayName: 'Ada' })]) {
      expect(res.status).toBe(200);
      expect(res.headers.location).toBeUndefined();
      expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('timestamps-epoch-ms: timestamps are integer epoch milliseconds from the clock', async () => {
    const { api } = await makeHarness();
    const { createdAt, modifiedAt } = (await api.post(configsPath(), { displayName: 'x' })).body;
    expect(Number.isInteger(createdAt)).toBe(true);
    expect(createdAt).toBeGreaterThanOrEqual(T0);
    expect(createdAt).toBeLessThan(T0 + 60_000);
    expect(modifiedAt).toBe(createdAt);
  });
});
