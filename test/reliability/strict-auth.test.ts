import { createHmac } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { T0, configsPath, makeHarness } from '../helpers.js';

const SECRET = 'test-secret';
const NOW_S = Math.floor(T0 / 1000);

function jwt(claims: Record<string, unknown>, { secret = SECRET, alg = 'HS256' } = {}): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${encode({ alg, typ: 'JWT' })}.${encode(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('strict auth mode (--jwt-secret)', () => {
  const path = `/v1/tenants/acme${configsPath()}`;

  it.each([
    ['a valid token for the tenant', 200, jwt({ sub: 'u1', tenant: 'acme', exp: NOW_S + 3600 })],
    ['a valid token with no tenant claim', 200, jwt({ sub: 'u1' })],
    ['an expired token', 401, jwt({ sub: 'u1', tenant: 'acme', exp: NOW_S - 1 })],
    ['a token not valid yet', 401, jwt({ sub: 'u1', nbf: NOW_S + 3600 })],
    ['a token signed with another secret', 401, jwt({ sub: 'u1', tenant: 'acme' }, { secret: 'other' })],
    ['a token with alg none', 401, jwt({ sub: 'u1' }, { alg: 'none' })],
    ['an opaque token', 401, 'opaque-token'],
    ['a token for another tenant', 403, jwt({ sub: 'u1', tenant: 'globex', exp: NOW_S + 3600 })],
  ])('answers %s with %i', async (_name, status, token) => {
    const { app, store } = await makeHarness({ app: { jwtSecret: SECRET } });
    const res = await request(app).post(path).set('Authorization', `Bearer ${token}`).send({ displayName: 'x' });
    expect(res.status).toBe(status);
    if (status === 200) {
      expect(res.body.createdBy).toBe('u1');
      return;
    }
    expect(res.text).toBe('');
    if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(store.counts().configs).toBe(0);
  });

  it('stays permissive by default', async () => {
    const { app } = await makeHarness();
    const res = await request(app).post(path).set('Authorization', 'Bearer anything').send({ displayName: 'x' });
    expect(res.status).toBe(200);
  });
});
