import { describe, expect, it } from 'vitest';
import { parsePrefer } from '../src/control/faults.js';
import { configsPath, expectProblem, makeHarness } from './helpers.js';

const create = { displayName: 'x' };

describe('Prefer: code=', () => {
  it('answers with the documented problem shape for that status and stores nothing', async () => {
    const { api, mock } = await makeHarness();
    const res = await api.post(configsPath(), create).set('Prefer', 'code=404');
    const problem = expectProblem(res, 404, 'HTTP_404');
    expect(problem.detail).toContain('Prefer: code=404');
    expect(res.headers['x-mock-fault']).toBe('prefer');
    expect((await api.get(configsPath())).body).toEqual([]);
    const [entry] = (await mock.get('/requests?operationId=createIntegrationConfig')).body.items;
    expect(entry).toMatchObject({ status: 404, fault: { source: 'prefer', ruleId: null, status: 404, delayMs: 0, dropped: false } });
  });

  it('answers 401 with WWW-Authenticate and no body, as the spec documents it', async () => {
    const { api } = await makeHarness();
    const res = await api.get('/integrations/slack').set('Prefer', 'code=401');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.text).toBe('');
  });

  it('answers 403 with no body', async () => {
    const { api } = await makeHarness();
    const res = await api.delete(`${configsPath()}/00000000-0000-4000-8000-000000000000`).set('Prefer', 'code=403');
    expect(res.status).toBe(403);
    expect(res.text).toBe('');
  });

  it('lets a documented success status through to the real handler', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), create).set('Prefer', 'code=200');
    expect(res.status).toBe(200);
    expect((await api.get(configsPath())).body).toHaveLength(1);
  });

  it.each([
    ['a status the operation does not document', 'code=404', '/integrations', 'does not document status 404; Prefer: code= accepts the statuses it documents (200, 400, 401, 403) or any 5xx'],
    ['a code that is not a number', 'code=teapot', '/integrations/slack', 'whole number'],
    ['a code that is not an HTTP status', 'code=42', '/integrations/slack', 'not an HTTP status'],
    ['a delay that is not a number', 'delay=soon', '/integrations/slack', 'whole number'],
    ['a delay over a minute', 'delay=600000', '/integrations/slack', 'more than'],
  ])('is a 422 for %s', async (_name, prefer, path, detail) => {
    const { api } = await makeHarness();
    const problem = expectProblem(await api.get(path).set('Prefer', prefer), 422, 'UNPROCESSABLE');
    expect(problem.detail).toContain(detail);
  });

  it('prefer-any-5xx: answers any 5xx, which no operation documents, as an outage would, storing nothing', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), create).set('Prefer', 'code=503');
    expectProblem(res, 503, 'HTTP_503');
    expect(res.headers['x-mock-fault']).toBe('prefer');
    expect((await api.get(configsPath())).body).toEqual([]);
  });

  it('ignores preferences it does not know (RFC 7240)', async () => {
    const { api } = await makeHarness();
    expect((await api.get('/integrations/slack').set('Prefer', 'return=minimal, respond-async')).status).toBe(200);
  });
});

describe('Prefer: delay=', () => {
  it('delays the real answer', async () => {
    const { api, mock } = await makeHarness();
    const started = Date.now();
    const res = await api.get('/integrations/slack').set('Prefer', 'delay=250');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    const [entry] = (await mock.get('/requests')).body.items;
    expect(entry.durationMs).toBeGreaterThanOrEqual(240);
    expect(entry.fault).toMatchObject({ source: 'prefer', status: null, delayMs: 250 });
  });

  it('combines with code', async () => {
    const { api } = await makeHarness();
    const started = Date.now();
    const res = await api.get('/integrations/slack').set('Prefer', 'code=404, delay=150');
    expect(res.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('parsePrefer', () => {
  it.each([
    ['code=404', { code: 404 }],
    ['delay=250; foo=bar', { delay: 250 }],
    ['CODE="400", delay=0', { code: 400, delay: 0 }],
    ['code=404, code=500', { code: 404 }],
    ['return=minimal', {}],
  ])('reads %j', (header, expected) => {
    expect(parsePrefer(header)).toEqual(expected);
  });
});

describe('fault rules', () => {
  it('fails the next matching request once, then the API works again', async () => {
    const { api, mock } = await makeHarness();
    const rule = await mock.post('/faults', { operationId: 'createIntegrationConfig', status: 400, times: 'once' });
    expect(rule.status).toBe(201);
    expect(rule.body).toEqual({
      id: 'fault_1', kind: 'fault', operationId: 'createIntegrationConfig', method: null, path: null, tenant: null,
      bodyMatches: null, priority: 0, status: 400, delay: 0, drop: false, times: 'once', remaining: 1, hits: 0,
    });

    const faulted = await api.post(configsPath(), create);
    expectProblem(faulted, 400, 'HTTP_400');
    expect(faulted.headers['x-mock-fault']).toBe('fault_1');
    expect((await api.get(configsPath())).body).toEqual([]);
    expect((await api.post(configsPath(), create)).status).toBe(200);
    expect((await mock.get('/faults')).body.items).toEqual([]);

    const statuses = (await mock.get('/requests?operationId=createIntegrationConfig')).body.items.map((e: { status: number; fault: unknown }) => [e.status, e.fault]);
    expect(statuses).toEqual([[200, null], [400, expect.objectContaining({ source: 'rule', ruleId: 'fault_1' })]]);
  });

  it('applies n times, counting hits and what remains', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'getIntegration', status: 404, times: 2 });
    expect((await api.get('/integrations/slack')).status).toBe(404);
    expect((await mock.get('/faults')).body.items[0]).toMatchObject({ remaining: 1, hits: 1 });
    expect((await api.get('/integrations/slack')).status).toBe(404);
    expect((await api.get('/integrations/slack')).status).toBe(200);
  });

  it('applies always until deleted', async () => {
    const { api, mock } = await makeHarness();
    const rule = (await mock.post('/faults', { operationId: 'getIntegration', status: 503 })).body;
    for (let i = 0; i < 3; i++) expectProblem(await api.get('/integrations/slack'), 503, 'HTTP_503');
    expect((await mock.delete(`/faults/${rule.id}`)).status).toBe(204);
    expect((await api.get('/integrations/slack')).status).toBe(200);
    expectProblem(await mock.delete(`/faults/${rule.id}`), 404);
  });

  it('matches a method and a spec path template', async () => {
    const { api, mock } = await makeHarness();
    const res = await mock.post('/faults', { method: 'post', path: '/v1/tenants/{tenant}/integrations/{integration}/configs', status: 404 });
    expect(res.body).toMatchObject({ operationId: 'createIntegrationConfig', method: 'POST' });
    expect((await api.post(configsPath('github'), create)).status).toBe(404);
    expect((await api.get(configsPath('github'))).status).toBe(200);
  });

  it('matches a concrete path only there', async () => {
    const { api, as, mock } = await makeHarness();
    await mock.post('/faults', { method: 'GET', path: '/v1/tenants/acme/integrations/slack', status: 404 });
    expect((await api.get('/integrations/slack')).status).toBe(404);
    expect((await api.get('/integrations/github')).status).toBe(200);
    expect((await as('globex').get('/integrations/slack')).status).toBe(200);
  });

  it('scopes a rule to one tenant', async () => {
    const { api, as, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'getIntegration', tenant: 'globex', status: 404 });
    expect((await api.get('/integrations/slack')).status).toBe(200);
    expect((await as('globex').get('/integrations/slack')).status).toBe(404);
  });

  it('delays a request that then succeeds', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'createIntegrationConfig', delay: 200 });
    const started = Date.now();
    expect((await api.post(configsPath(), create)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('drops the connection without an answer, storing nothing', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'createIntegrationConfig', drop: true, times: 'once' });
    await expect(api.post(configsPath(), create)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await api.get(configsPath())).body).toEqual([]);
    const [, dropped] = (await mock.get('/requests')).body.items;
    expect(dropped).toMatchObject({ operationId: 'createIntegrationConfig', status: null, fault: { dropped: true } });
  });

  it('uses the first matching rule, and a Prefer header wins over rules without using them up', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'getIntegration', status: 404, times: 'once' });
    await mock.post('/faults', { operationId: 'getIntegration', status: 503, times: 'once' });
    expect((await api.get('/integrations/slack').set('Prefer', 'code=403')).status).toBe(403);
    expect((await api.get('/integrations/slack')).status).toBe(404);
    expect((await api.get('/integrations/slack')).status).toBe(503);
    expect((await api.get('/integrations/slack')).status).toBe(200);
  });

  it('DELETE /__mock/faults removes them all', async () => {
    const { api, mock } = await makeHarness();
    await mock.post('/faults', { operationId: 'getIntegration', status: 404 });
    await mock.post('/faults', { operationId: 'listIntegrations', status: 400 });
    expect((await mock.delete('/faults')).status).toBe(204);
    expect((await mock.get('/faults')).body).toEqual({ items: [] });
    expect((await api.get('/integrations/slack')).status).toBe(200);
  });

  it.each([
    ['no target', { status: 404 }, 'needs an operationId'],
    ['an unknown operation', { operationId: 'launchRocket', status: 404 }, "no operation 'launchRocket'"],
    ['a path without a method', { path: '/v1/tenants/{tenant}/integrations', status: 400 }, 'needs a method'],
    ['a path the spec does not have', { method: 'GET', path: '/v2/things', status: 404 }, 'No operation'],
    ['an operation id that disagrees with the path', { operationId: 'getIntegration', method: 'GET', path: '/v1/tenants/{tenant}/integrations', status: 400 }, "is operation 'listIntegrations'"],
    ['nothing to do', { operationId: 'getIntegration' }, 'needs a status, a delay or drop'],
    ['an undocumented 4xx', { operationId: 'listIntegrations', status: 404 }, 'does not document status 404'],
    ['a success status', { operationId: 'getIntegration', status: 200 }, 'error status'],
    ['a status and a drop', { operationId: 'getIntegration', status: 404, drop: true }, 'not both'],
  ])('rejects a rule with %s (422)', async (_name, rule, detail) => {
    const { mock } = await makeHarness();
    const problem = expectProblem(await mock.post('/faults', rule), 422, 'UNPROCESSABLE');
    expect(problem.detail).toContain(detail);
    expect((await mock.get('/faults')).body.items).toEqual([]);
  });

  it.each([
    ['an unknown field', { operationId: 'getIntegration', status: 404, colour: 'red' }],
    ['a negative delay', { operationId: 'getIntegration', delay: -1 }],
    ['times zero', { operationId: 'getIntegration', status: 404, times: 0 }],
    ['times sometimes', { operationId: 'getIntegration', status: 404, times: 'sometimes' }],
  ])('rejects a rule with %s (400)', async (_name, rule) => {
    const { mock } = await makeHarness();
    expectProblem(await mock.post('/faults', rule), 400, 'VALIDATION_FAILED');
  });
});

describe('latency-seeded-jitter', () => {
  it('latency-seeded-jitter: PUT /__mock/latency slows every request, per operation where set, until a reset', async () => {
    const { api, mock } = await makeHarness();
    // Warm up: the first request to a path builds its validator.
    await api.get('/integrations');
    await api.get('/integrations/slack');
    const set = await mock.put('/latency', { delay: 120, operations: { listIntegrations: { delay: 0 } } });
    expect(set.body).toEqual({ delay: 120, jitter: 0, operations: { listIntegrations: { delay: 0, jitter: 0 } } });
    let started = Date.now();
    expect((await api.get('/integrations/slack')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    started = Date.now();
    expect((await api.get('/integrations')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(110);
    expect((await mock.post('/reset')).status).toBe(204);
    expect((await mock.get('/latency')).body).toEqual({ delay: 0, jitter: 0, operations: {} });
  });

  it('latency-seeded-jitter: the jitter is the same sequence for the same seed, and starts over at a reset', async () => {
    const { Latency } = await import('../src/control/latency.js');
    const sequence = (seed: number) => {
      const latency = new Latency(seed, { delay: 10, jitter: 500 });
      return Array.from({ length: 8 }, () => latency.next('getIntegration'));
    };
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
    for (const ms of sequence(7)) expect(ms).toBeGreaterThanOrEqual(10), expect(ms).toBeLessThanOrEqual(510);
    const latency = new Latency(7, { delay: 10, jitter: 500 });
    const before = [latency.next('x'), latency.next('x')];
    latency.reset();
    expect([latency.next('x'), latency.next('x')]).toEqual(before);
  });

  it('latency-seeded-jitter: leaves ids and faked fields as they are', async () => {
    const plain = await makeHarness();
    const slow = await makeHarness();
    await slow.mock.put('/latency', { delay: 1, jitter: 3 });
    const a = await plain.api.post(configsPath(), create);
    const b = await slow.api.post(configsPath(), create);
    expect(b.body).toEqual(a.body);
  });

  it.each([
    ['a negative delay', { delay: -5 }, 'delay must be a whole number of ms from 0 to 60000'],
    ['a jitter over a minute', { jitter: 70000 }, 'jitter must be a whole number'],
    ['an unknown operation', { operations: { launchRocket: { delay: 5 } } }, "no operation 'launchRocket'"],
    ['an unknown setting', { delay: 5, speed: 'slow' }, "'speed' is not a latency setting"],
  ])('refuses %s (422)', async (_name, settings, detail) => {
    const { mock } = await makeHarness();
    const problem = expectProblem(await mock.put('/latency', settings), 422, 'UNPROCESSABLE');
    expect(problem.detail).toContain(detail);
    expect((await mock.get('/latency')).body).toEqual({ delay: 0, jitter: 0, operations: {} });
  });
});
