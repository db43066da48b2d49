import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RULE_FIELDS } from '../src/control/rule-input.js';
import { MockControlError, mockClient, startMock, type MockServer } from '../src/index.js';
import { loadControlSpec } from '../src/spec.js';
import { configsPath, expectProblem, makeHarness } from './helpers.js';

const create = { displayName: 'x' };
const CONFIGS = '/v1/tenants/{tenant}/integrations/{integration}/configs';

describe('stub-answers-in-place', () => {
  it('stub-answers-in-place: answers a 2xx with its headers and body, runs no handler and stores nothing', async () => {
    const { api, mock } = await makeHarness();
    const stub = await mock.post('/stubs', {
      operationId: 'createIntegrationConfig',
      status: 201,
      headers: { 'X-Request-Id': 'abc', Location: '/somewhere' },
      body: { id: 'stubbed', displayName: 'from the stub' },
    });
    expect(stub.status).toBe(201);
    expect(stub.body).toMatchObject({ id: 'stub_1', kind: 'stub', operationId: 'createIntegrationConfig', status: 201, times: 'always', priority: 0 });

    const res = await api.post(configsPath(), create);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBe('abc');
    expect(res.headers['x-mock-stub']).toBe('stub_1');
    expect(res.body).toEqual({ id: 'stubbed', displayName: 'from the stub' });
    expect((await api.get(configsPath())).body).toEqual([]);

    const [, entry] = (await mock.get('/requests')).body.items;
    expect(entry).toMatchObject({ status: 201, responseBody: { id: 'stubbed' }, fault: { source: 'stub', ruleId: 'stub_1', status: 201 } });
  });

  it('answers a 5xx or 4xx exactly as written, and a 204 with no body', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/stubs', { operationId: 'getIntegration', status: 418, body: { teapot: true }, times: 'once' });
    await mock.post('/stubs', { operationId: 'listIntegrations', status: 204 });
    const teapot = await api.get('/integrations/slack');
    expect([teapot.status, teapot.body]).toEqual([418, { teapot: true }]);
    const empty = await api.get('/integrations');
    expect([empty.status, empty.text]).toEqual([204, '']);
    expect((await api.get('/integrations/slack')).status).toBe(200);
  });

  it('keeps a Content-Type it is given', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/stubs', { operationId: 'getIntegration', status: 200, headers: { 'Content-Type': 'application/vnd.fruxon+json' }, body: { a: 1 } });
    const res = await api.get('/integrations/slack');
    expect(res.headers['content-type']).toMatch(/^application\/vnd\.fruxon\+json/);
    expect(JSON.parse(res.text)).toEqual({ a: 1 });
  });

  it('still needs a bearer token: authentication comes first', async () => {
    const { app, mock } = await makeHarness();
    await mock.post('/stubs', { operationId: 'getIntegration', status: 200, body: {} });
    const { default: request } = await import('supertest');
    expect((await request(app).get('/v1/tenants/acme/integrations/slack')).status).toBe(401);
  });

  it('matches a method and a path template, a concrete path, and a tenant', async () => {
    const { api, as, mock } = await makeHarness();
    await mock.post('/stubs', { method: 'post', path: CONFIGS, tenant: 'globex', status: 202, body: { queued: true } });
    await mock.post('/stubs', { method: 'GET', path: '/v1/tenants/acme/integrations/github', status: 200, body: { id: 'github', stubbed: true } });
    expect((await api.post(configsPath(), create)).status).toBe(200);
    expect((await as('globex').post(configsPath('github'), create)).body).toEqual({ queued: true });
    expect((await api.get('/integrations/github')).body).toEqual({ id: 'github', stubbed: true });
    expect((await api.get('/integrations/slack')).body.stubbed).toBeUndefined();
  });

  it('matches a partial request body: fields it names, arrays element by element', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/stubs', { operationId: 'createIntegrationConfig', bodyMatches: { displayName: 'Fail me' }, status: 500, body: { boom: true } });
    expect((await api.post(configsPath(), { displayName: 'Fine' })).status).toBe(200);
    expect((await api.post(configsPath(), { displayName: 'Fail me' })).status).toBe(500);
    const list = (await mock.get('/stubs')).body.items;
    expect(list).toEqual([expect.objectContaining({ bodyMatches: { displayName: 'Fail me' }, hits: 1 })]);
  });

  it('waits its delay first', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/stubs', { operationId: 'getIntegration', status: 200, body: {}, delay: 150 });
    const started = Date.now();
    expect((await api.get('/integrations/slack')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is listed, removed one by one and all at once, apart from the fault rules', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'listIntegrations', status: 400 });
    const { id } = (await mock.post('/stubs', { operationId: 'getIntegration', status: 200, body: {} })).body;
    await mock.post('/stubs', { operationId: 'getIntegrationConfig', status: 200, body: {} });
    expect((await mock.get('/faults')).body.items.map((r: { id: string }) => r.id)).toEqual(['fault_1']);
    expect((await mock.get('/stubs')).body.items.map((r: { id: string }) => r.id)).toEqual(['stub_1', 'stub_2']);
    expect((await mock.get('/health')).body).toMatchObject({ faults: 1, stubs: 2 });
    expectProblem(await mock.delete('/faults/stub_1'), 404);
    expect((await mock.delete(`/stubs/${id}`)).status).toBe(204);
    expect((await api.get('/integrations/slack')).body).not.toEqual({});
    expect((await mock.delete('/stubs')).status).toBe(204);
    expect((await mock.get('/stubs')).body.items).toEqual([]);
    expect((await mock.get('/faults')).body.items).toHaveLength(1);
  });
});

describe('rule-order', () => {
  it('rule-order: a higher priority wins over an earlier rule; equal priorities go in the order added', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/stubs', { operationId: 'getIntegration', status: 200, body: { n: 'general' } });
    await mock.post('/faults', { operationId: 'getIntegration', status: 404, priority: 5, times: 'once' });
    await mock.post('/stubs', { operationId: 'getIntegration', status: 200, body: { n: 'later, same priority' } });
    await mock.post('/stubs', { operationId: 'getIntegration', tenant: 'acme', status: 200, body: { n: 'specific' }, priority: 1, times: 1 });
    expect((await mock.get('/stubs')).body.items.map((r: { priority: number }) => r.priority)).toEqual([1, 0, 0]);
    expect((await api.get('/integrations/slack')).status).toBe(404);
    expect((await api.get('/integrations/slack')).body).toEqual({ n: 'specific' });
    expect((await api.get('/integrations/slack')).body).toEqual({ n: 'general' });
    expect((await api.get('/integrations/slack').set('Prefer', 'code=401')).status).toBe(401);
    expect((await mock.get('/stubs')).body.items[0]).toMatchObject({ hits: 1, remaining: null });
  });
});

describe('rules-checked-alike', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  type Case = [string, 'addFault' | 'addStub', Record<string, unknown>, number, string];
  const cases: Case[] = [
    ['an unknown field', 'addFault', { operationId: 'getIntegration', status: 404, colour: 'red' }, 400, 'colour is not a field of a fault rule'],
    ['a negative delay', 'addFault', { operationId: 'getIntegration', delay: -1 }, 400, 'delay must be a whole number from 0 to 60000'],
    ['times zero', 'addFault', { operationId: 'getIntegration', status: 404, times: 0 }, 400, 'times must be once, always'],
    ['a priority out of range', 'addStub', { operationId: 'getIntegration', status: 200, priority: 5000 }, 400, 'priority must be a whole number from -1000 to 1000'],
    ['a stub without a status', 'addStub', { operationId: 'getIntegration', body: {} }, 400, 'status is required'],
    ['a stub status below 200', 'addStub', { operationId: 'getIntegration', status: 101 }, 400, 'status must be a whole number from 200 to 599'],
    ['a header the server sets', 'addStub', { operationId: 'getIntegration', status: 200, headers: { 'Content-Length': '3' } }, 400, 'may not set Content-Length'],
    ['a header that is not a string', 'addStub', { operationId: 'getIntegration', status: 200, headers: { 'X-A': 1 } }, 400, 'X-A must be a string'],
    ['a body nested too deep', 'addStub', { operationId: 'getIntegration', status: 200, body: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) }, 400, 'body must not be nested more than 32 levels deep'],
    ['an unknown operation', 'addStub', { operationId: 'launchRocket', status: 200 }, 422, "The spec has no operation 'launchRocket'"],
    ['a method the operation does not have', 'addFault', { operationId: 'getIntegration', method: 'DELETE', status: 500 }, 422, "Operation 'getIntegration' is GET, not DELETE"],
    ['a path without a method', 'addStub', { path: CONFIGS, status: 200 }, 422, 'A stub with a path needs a method too'],
    ['a 204 with a body', 'addStub', { operationId: 'listIntegrations', status: 204, body: {} }, 422, 'cannot have a body'],
    ['a fault with a success status', 'addFault', { operationId: 'getIntegration', status: 200 }, 422, 'use a stub'],
    ['a fault with an undocumented 4xx', 'addFault', { operationId: 'listIntegrations', status: 404 }, 422, 'does not document status 404'],
  ];

  it.each(cases)('rules-checked-alike: refuses %s in-process and over HTTP with the same problem', async (_name, verb, rule, status, detail) => {
    const client = mockClient(mock.url);
    const inProcess = (() => {
      try {
        (mock[verb] as (r: unknown) => unknown)(rule);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    const overHttp = await (client[verb] as (r: unknown) => Promise<unknown>)(rule).catch((error: unknown) => error);
    for (const error of [inProcess, overHttp]) {
      expect(error).toBeInstanceOf(MockControlError);
      expect(error).toMatchObject({ status, problem: { status, detail: expect.stringContaining(detail) } });
    }
    const [a, b] = [inProcess, overHttp] as MockControlError[];
    expect(a!.message).toBe(b!.message);
    const strip = (p: unknown) => {
      const { traceId: _t, ...rest } = p as Record<string, unknown>;
      return rest;
    };
    expect(strip(a!.problem)).toEqual(strip(b!.problem));
    expect(mock.faults()).toEqual([]);
    expect(mock.stubs()).toEqual([]);
  });

  it('takes the same stub both ways', async () => {
    const rule = { operationId: 'getIntegration', status: 200, body: { a: 1 }, times: 2 } as const;
    const inProcess = mock.addStub(rule);
    const overHttp = await mockClient(mock.url).addStub(rule);
    expect({ ...overHttp, id: inProcess.id }).toEqual(inProcess);
  });

  it('knows the fields spec/control.yaml gives FaultRuleInput and StubInput', () => {
    const schemas = loadControlSpec().components as { schemas: Record<string, { properties: object }> };
    expect(Object.keys(RULE_FIELDS.fault).sort()).toEqual(Object.keys(schemas.schemas.FaultRuleInput!.properties).sort());
    expect(Object.keys(RULE_FIELDS.stub).sort()).toEqual(Object.keys(schemas.schemas.StubInput!.properties).sort());
  });
});

describe('a listed rule posted back', () => {
  it('is taken again without its id, hits and remaining (as a toggle does), and refused at the other kind\'s endpoint', async () => {
    const { mock } = await makeHarness();
    const strip = (rule: Record<string, unknown>) => Object.fromEntries(Object.entries(rule).filter(([k, v]) => !['id', 'hits', 'remaining'].includes(k) && v !== null));
    const fault = (await mock.post('/faults', { operationId: 'getIntegration', status: 503, times: 2, tenant: 'acme' })).body;
    const stub = (await mock.post('/stubs', { operationId: 'listIntegrations', status: 200, body: [], headers: { 'X-A': 'b' } })).body;
    await mock.delete('/faults');
    await mock.delete('/stubs');
    expect((await mock.post('/faults', strip(fault))).body).toEqual({ ...fault, id: 'fault_2' });
    expect((await mock.post('/stubs', strip(stub))).body).toEqual({ ...stub, id: 'stub_2' });
    const wrong = expectProblem(await mock.post('/faults', strip(stub)), 400, 'VALIDATION_FAILED');
    expect(wrong.detail).toContain("kind must be 'fault' here");
  });
});
