import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, configsPath, expectProblem, makeHarness } from './helpers.js';

const invalid = { displayName: 'x', colour: 'blue' };

describe('request validation modes', () => {
  it('strict (the default) rejects an invalid request with 400 and stores nothing', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), invalid);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.headers).not.toHaveProperty('x-mock-violations');
    expect((await api.get(configsPath())).body).toEqual([]);
  });

  it('warn lets it through and lists what was wrong in x-mock-violations and the journal', async () => {
    const { api, mock } = await makeHarness({ app: { validation: 'warn' } });
    const res = await api.post(configsPath(), invalid);
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('x');
    expect(res.headers['x-mock-violations']).toBe('colour: must NOT have additional properties');
    expect((await api.get(configsPath())).body).toHaveLength(1);
    const [, entry] = (await mock.get('/requests')).body.items;
    expect(entry.violations).toEqual(['colour: must NOT have additional properties']);
    expect((await mock.get('/health')).body.validation).toBe('warn');
  });

  it('warn sends no header for a valid request', async () => {
    const { api } = await makeHarness({ app: { validation: 'warn' } });
    const res = await api.post(configsPath(), { displayName: 'x' });
    expect(res.status).toBe(200);
    expect(res.headers).not.toHaveProperty('x-mock-violations');
  });

  it('off lets it through silently', async () => {
    const { api } = await makeHarness({ app: { validation: 'off' } });
    const res = await api.post(configsPath(), invalid);
    expect(res.status).toBe(200);
    expect(res.headers).not.toHaveProperty('x-mock-violations');
  });

  it.each(['warn', 'off'] as const)('%s still answers 401, 404 and 405: those are not validation', async (validation) => {
    const { app } = await makeHarness({ app: { validation } });
    expect((await request(app).get('/v1/tenants/acme/integrations')).status).toBe(401);
    expectProblem(await request(app).get('/v1/nowhere').set(AUTH), 404);
    expectProblem(await request(app).put('/v1/tenants/acme/integrations').set(AUTH), 405);
  });
});

describe('CORS', () => {
  const origin = 'http://localhost:5173';

  it('answers a preflight before auth, allowing the headers the app asks for', async () => {
    const { app } = await makeHarness();
    const res = await request(app)
      .options('/v1/tenants/acme/integrations/slack/configs')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, prefer');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type, prefer');
  });

  it('lets a browser read the answer and the mock headers of a call', async () => {
    const { api } = await makeHarness();
    const res = await api.get('/integrations/slack').set('Origin', origin);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-expose-headers']).toContain('X-Mock-Violations');
    expect(res.headers.vary).toContain('Origin');
  });

  it('control-no-cors: leaves the control plane out (test/security.test.ts)', async () => {
    const { mock } = await makeHarness();
    const res = await mock.get('/health').set('Origin', origin);
    expect(res.status).toBe(403);
    expect(res.headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('allows only the configured origins', async () => {
    const { app, api } = await makeHarness({ app: { corsOrigins: ['http://app.test'] } });
    expect((await api.get('/integrations/slack').set('Origin', 'http://app.test')).headers['access-control-allow-origin']).toBe('http://app.test');
    const denied = await request(app).options('/v1/tenants/acme/integrations').set('Origin', origin).set('Access-Control-Request-Method', 'GET');
    expect(denied.status).toBe(204);
    expect(denied.headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('can be turned off', async () => {
    const { app, api } = await makeHarness({ app: { corsOrigins: [] } });
    expect((await api.get('/integrations/slack').set('Origin', origin)).headers).not.toHaveProperty('access-control-allow-origin');
    const preflight = await request(app).options('/v1/tenants/acme/integrations').set('Origin', origin).set('Access-Control-Request-Method', 'GET');
    expect(preflight.status).toBe(405);
  });
});
