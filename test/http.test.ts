import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../src/spec.js';
import { HTTP_METHODS } from '../src/spec.js';
import { AUTH, configsPath, expectProblem, makeHarness } from './helpers.js';

const CONFIGS = `/v1/tenants/acme${configsPath()}`;

describe('the error model', () => {
  it.each([
    ['malformed JSON', () => ({ type: 'application/json', body: '{"displayName":' }), 400, 'MALFORMED_JSON'],
    ['a JSON string instead of an object', () => ({ type: 'application/json', body: '"Main"' }), 400, 'MALFORMED_JSON'],
    ['a JSON array instead of an object', () => ({ type: 'application/json', body: '[]' }), 400, 'VALIDATION_FAILED'],
    ['a text/plain body', () => ({ type: 'text/plain', body: 'displayName=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form body', () => ({ type: 'application/x-www-form-urlencoded', body: 'displayName=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'a multipart body, however large',
      () => ({ type: 'multipart/form-data; boundary=b', body: `--b\r\nContent-Disposition: form-data; name="displayName"\r\n\r\n${'x'.repeat(2_000_000)}\r\n--b--\r\n` }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['a body over the size limit', () => ({ type: 'application/json', body: JSON.stringify({ displayName: 'x'.repeat(1_100_000) }) }), 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s with a problem and stores nothing', async (_name, make, status, code) => {
    const { app, store } = await makeHarness();
    const { type, body } = make();
    const res = await request(app).post(CONFIGS).set(AUTH).set('Content-Type', type).send(body);
    expectProblem(res, status, code);
    expect(store.counts().configs).toBe(0);
  });

  it('answers a body with no Content-Type with 415', async () => {
    const { app } = await makeHarness();
    const res = await request(app).post(CONFIGS).set(AUTH).send(Buffer.from('{"displayName":"x"}'));
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset', async () => {
    const { app } = await makeHarness();
    const res = await request(app).post(CONFIGS).set(AUTH).set('Content-Type', 'application/json; charset=utf-8').send('{"displayName":"x"}');
    expect(res.status).toBe(200);
  });

  it('answers an unknown route with 404 and a wrong method with 405 and Allow', async () => {
    const { app } = await makeHarness();
    expectProblem(await request(app).get('/v1/tenants/acme/widgets').set(AUTH), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await request(app).get('/nowhere').set(AUTH), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await request(app).post(`${CONFIGS}/00000000-0000-4000-8000-000000000000:bogus`).set(AUTH), 404, 'ROUTE_NOT_FOUND');
    const res = await request(app).put(CONFIGS).set(AUTH);
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, POST');
    const custom = await request(app).get(`${CONFIGS}/00000000-0000-4000-8000-000000000000:publish`).set(AUTH);
    expectProblem(custom, 405);
    expect(custom.headers.allow).toBe('POST');
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer token', 'Bearer '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a token with spaces', 'Bearer a b'],
  ])('answers %s with 401, WWW-Authenticate: Bearer and no body', async (_name, header) => {
    const { app, store } = await makeHarness();
    const req = request(app).post(CONFIGS).send({ displayName: 'x' });
    const res = await (header === undefined ? req : req.set('Authorization', header));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.text).toBe('');
    expect(store.counts().configs).toBe(0);
  });

  it('accepts any non-empty bearer token and takes createdBy from a JWT sub', async () => {
    const { app } = await makeHarness();
    const payload = Buffer.from(JSON.stringify({ sub: 'user-42' })).toString('base64url');
    const res = await request(app).post(CONFIGS).set('Authorization', `Bearer e30.${payload}.sig`).send({ displayName: 'x' });
    expect(res.status).toBe(200);
    expect(res.body.createdBy).toBe('user-42');
  });

  it('names every invalid field, not just the first', async () => {
    const { api } = await makeHarness();
    const res = await api.post(configsPath(), { displayName: 5, sandboxMode: 'none', parameters: [] });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(Object.keys(problem.errors as object).sort()).toEqual(['displayName', 'parameters', 'sandboxMode']);
  });

  it('unknown-tenant-404: validates path parameters: a tenant no tenant can have is 404, a config id must be a uuid', async () => {
    const { app } = await makeHarness();
    expectProblem(await request(app).get('/v1/tenants/a%2Fb/integrations').set(AUTH), 404, 'NOT_FOUND');
    expectProblem(await request(app).get(`${CONFIGS}/123`).set(AUTH), 400, 'VALIDATION_FAILED');
  });
});

describe('the contract', () => {
  it('has a handler for every operation in the spec', async () => {
    const { api } = await makeHarness();
    const spec = loadSpec();
    const calls: [string, string][] = [];
    for (const [template, item] of Object.entries(spec.paths)) {
      for (const method of HTTP_METHODS) if (item[method]) calls.push([method, template]);
    }
    expect(calls.length).toBeGreaterThanOrEqual(15);
    for (const [method, template] of calls) {
      const path = template
        .replace('/v1/tenants/{tenant}', '')
        .replace('{integration}', 'slack')
        .replace(/\{(config|revision|participant)\}/g, '00000000-0000-4000-8000-000000000000')
        .replace(/\{[^}]+\}/g, 'x');
      const client = api[method as 'get' | 'post' | 'patch' | 'put' | 'delete'];
      const res = await client(path, method === 'get' || method === 'delete' ? undefined : {});
      // A missing handler falls through to ROUTE_NOT_FOUND; anything else means the operation is wired.
      expect(res.body?.code, `${method.toUpperCase()} ${template}`).not.toBe('ROUTE_NOT_FOUND');
      expect(res.status, `${method.toUpperCase()} ${template}`).toBeLessThan(500);
    }
  });
});
