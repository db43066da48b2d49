import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS, loadSpec } from '../../src/spec.js';
import { AUTH, configsPath, expectProblem, makeHarness, type Harness } from '../helpers.js';

const BASE = '/v1/tenants/acme';
const CONFIGS = BASE + configsPath();

/** Every operation of the spec as [METHOD, template]. */
const OPERATIONS = Object.entries(loadSpec().paths).flatMap(([template, item]) =>
  HTTP_METHODS.filter((m) => item[m]).map((m) => [m.toUpperCase(), template] as const),
);

/** A harness with one published config, so fuzzed requests can hit real records too. */
async function seeded(): Promise<{ h: Harness; configId: string; revisionId: string; participantId: string }> {
  const h = await makeHarness();
  const configId = (await h.api.post(configsPath(), { displayName: 'seed', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } })).body.id;
  const revisionId = (await h.api.post(`${configsPath()}/${configId}:publish`)).body.id;
  const participantId = (await h.api.post('/participants', { displayName: 'seed', agentIds: ['support_bot'] })).body.id;
  return { h, configId, revisionId, participantId };
}

describe('hostile input: named cases', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('treats a %s key as plain data, with no prototype pollution', async (key) => {
    const { api, store } = await makeHarness();
    const inner = `{"${key}":{"polluted":"yes"},"plain":"v"}`;
    const body = `{"displayName":"x","parameters":${inner},"authMap":[{"parameters":${inner}}]}`;
    const res = await api.post(configsPath()).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const read = await api.get(`${configsPath()}/${res.body.id}`);
    expect(JSON.parse(read.text).parameters).toEqual(JSON.parse(inner));
    expect(Object.getPrototypeOf(store.snapshot().configs[res.body.id]!.parameters)).toBe(Object.prototype);
    const top = await api.post(configsPath()).set('Content-Type', 'application/json').send(`{"displayName":"x","${key}":{"polluted":"yes"}}`);
    expectProblem(top, 400, 'VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers deeply nested JSON with a problem, not a crash, and journals a note in place of the body', async () => {
    const { app, store, mock } = await makeHarness();
    const deep = `{"displayName":"x","parameters":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await request(app).post(CONFIGS).set(AUTH).set('Content-Type', 'application/json').send(deep);
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors).toHaveProperty(['body']);
    const arrays = `{"displayName":"x","parameters":{"a":${'['.repeat(20000)}${']'.repeat(20000)}}}`;
    expectProblem(await request(app).post(CONFIGS).set(AUTH).set('Content-Type', 'application/json').send(arrays), 400);
    expect(store.counts().configs).toBe(0);
    const fine = `{"displayName":"x","parameters":${'{"a":'.repeat(20)}1${'}'.repeat(20)}}`;
    expect((await request(app).post(CONFIGS).set(AUTH).set('Content-Type', 'application/json').send(fine)).status).toBe(200);
    const entries = (await mock.get('/requests')).body.items as { status: number; requestBody: unknown }[];
    expect(entries.map((e) => [e.status, e.requestBody])).toEqual([
      [200, JSON.parse(fine)],
      [400, '[not recorded: nested more than 32 levels deep]'],
      [400, '[not recorded: nested more than 32 levels deep]'],
    ]);
  });

  it('answers invalid UTF-8 without a 5xx', async () => {
    const { app } = await makeHarness();
    const bytes = Buffer.concat([Buffer.from('{"displayName":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);
    const res = await request(app).post(CONFIGS).set(AUTH).set('Content-Type', 'application/json').send(bytes);
    expect(res.status).toBeLessThan(500);
  });

  it.each([
    ['a wrong Content-Type', 'application/xml', '<x/>', 415],
    ['an unparseable charset', 'application/json; charset=klingon', '{"displayName":"x"}', 415],
  ])('answers %s with 415', async (_name, type, body, status) => {
    const { app, store } = await makeHarness();
    const res = await request(app).post(CONFIGS).set(AUTH).set('Content-Type', type).send(body);
    expectProblem(res, status, 'UNSUPPORTED_MEDIA_TYPE');
    expect(store.counts().configs).toBe(0);
  });

  it('answers a very long URL and a very long header without a 5xx', async () => {
    const { app } = await makeHarness();
    const longUrl = await request(app).get(`${CONFIGS}/${'a'.repeat(20_000)}`).set(AUTH);
    expect(longUrl.status).toBeLessThan(500);
    const longTenant = await request(app).get(`/v1/tenants/${'t'.repeat(5000)}/integrations`).set(AUTH);
    expectProblem(longTenant, 404, 'NOT_FOUND');
    const longHeader = await request(app).get(CONFIGS).set(AUTH).set('X-Long', 'h'.repeat(10_000));
    expect(longHeader.status).toBe(200);
  });

  it.each([
    ['..', 404],
    ['%2E%2E', 404],
    ['a%2Fb', 404],
    ['a%00b', 404],
    ['%ZZ', 400],
  ])('unknown-tenant-404: answers the tenant %s cleanly', async (tenant, status) => {
    const { app } = await makeHarness();
    const res = await request(app).get(`/v1/tenants/${tenant}/integrations/slack/configs`).set(AUTH);
    expectProblem(res, status);
  });

  it.each(['%E2%98%83', 'caf%C3%A9', 'Acme.Corp', '-x'])('unknown-tenant-404: takes the tenant %s as a tenant that starts empty', async (tenant) => {
    const { app } = await makeHarness();
    const res = await request(app).get(`/v1/tenants/${tenant}/integrations/slack/configs`).set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it.each([
    ['a number for displayName', { displayName: 5 }, 'displayName'],
    ['a string for parameters', { displayName: 'x', parameters: 'a=b' }, 'parameters'],
    ['a string for authMap', { displayName: 'x', authMap: 'all' }, 'authMap'],
    ['a number for oAuthCredentialKey', { displayName: 'x', oAuthCredentialKey: 12 }, 'oAuthCredentialKey'],
    ['an object for sandboxMode', { displayName: 'x', sandboxMode: { mode: 'NONE' } }, 'sandboxMode'],
  ])('rejects %s, naming the field', async (_name, body, field) => {
    const { api, store } = await makeHarness();
    const problem = expectProblem(await api.post(configsPath(), body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty([field]);
    expect(store.counts().configs).toBe(0);
  });

  it('rejects a uuid-shaped id with a NUL or unicode in it', async () => {
    const { api } = await makeHarness();
    expectProblem(await api.get(`${configsPath()}/00000000-0000-4000-8000-00000000000%00`), 400);
    expectProblem(await api.get(`${configsPath()}/00000000-0000-4000-8000-00000000000%C3%A9`), 400);
  });
});

/** Fixed in CI for reproducibility; FUZZ_SEED / FUZZ_RUNS explore further by hand. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);

const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/merge-patch+json'];

describe('hostile input: property-based (fast-check)', () => {
  it('never answers 5xx, always answers errors as problems, and never changes the store on a 4xx', async () => {
    const { h, configId, revisionId, participantId } = await seeded();
    const segment = fc.oneof(
      fc.constant(configId),
      fc.constant(revisionId),
      fc.constant(participantId),
      fc.uuid(),
      fc.constantFrom('slack', 'github', 'support_bot', '..', '%2F', '%00', '__proto__', 'constructor', '%E2%98%83', ''),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
    );
    const body = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.record(
        {
          displayName: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
          toolId: fc.constantFrom('list_channels', 'nope', null),
          revisionId: fc.oneof(fc.constant(revisionId), fc.uuid(), fc.string()),
          sandboxMode: fc.constantFrom('NONE', 'VENDOR', 'none', 'UNSPECIFIED', 1),
          parameters: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'token', 'a'), fc.jsonValue(), { maxKeys: 3 }),
          auth: fc.record({ integrationAuthMetadataId: fc.constantFrom('bot_token', 'oauth2', 'x', null) }, { requiredKeys: [] }),
          note: fc.string(),
          kind: fc.constantFrom('PERSON', 'GROUP', 'AI_AGENT', 'person', null),
          agentIds: fc.array(fc.constantFrom('support_bot', 'triage_agent', 'nobody', '__proto__'), { maxLength: 3 }),
          channels: fc.array(
            fc.record({ integrationConfigId: fc.oneof(fc.constant(configId), fc.uuid(), fc.constant(null)), address: fc.string({ maxLength: 20 }) }, { requiredKeys: [] }),
            { maxLength: 2 },
          ),
          roles: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
          defaultForRoles: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ).map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 200 }),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPERATIONS),
        fc.array(segment, { minLength: 4, maxLength: 4 }),
        fc.option(body, { nil: undefined }),
        fc.constantFrom(...CONTENT_TYPES),
        fc.boolean(),
        async ([method, template], values, payload, contentType, withAuth) => {
          runs += 1;
          let i = 0;
          const path = template.replace(/\{tenant\}/, 'acme').replace(/\{[^}]+\}/g, () => values[i++] ?? 'x');
          const before = JSON.stringify(h.store.snapshot());
          let req = request(h.app)[method.toLowerCase() as 'get'](path);
          if (withAuth) req = req.set(AUTH);
          if (payload !== undefined) req = req.set('Content-Type', contentType).send(payload);
          const res = await req;
          expect(res.status, `${method} ${path}`).toBeLessThan(500);
          if (res.status >= 400) {
            if (res.status === 401 || res.status === 403) expect(res.text).toBe('');
            else expectProblem(res, res.status);
            expect(JSON.stringify(h.store.snapshot()), `${method} ${path} changed the store`).toBe(before);
          }
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    expect(runs).toBe(RUNS);
    console.info(`fuzz: ${runs} random requests over ${OPERATIONS.length} operations, no 5xx, no 4xx that changed the store`);
  });
});
