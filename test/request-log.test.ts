import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_BYTES, REDACTED, RequestLog, type RequestRecord } from '../src/control/request-log.js';
import { parseOptions } from '../src/config.js';
import { AUTH, configsPath, makeHarness } from './helpers.js';

type Entry = Record<string, any>;

async function journal(mock: Awaited<ReturnType<typeof makeHarness>>['mock'], query = ''): Promise<Entry[]> {
  const res = await mock.get(`/requests${query}`);
  expect(res.status).toBe(200);
  return res.body.items as Entry[];
}

describe('GET /__mock/requests', () => {
  it('records what the client sent and what it got, newest first', async () => {
    const { api, mock } = await makeHarness();
    const created = await api.post(configsPath(), { displayName: 'Main' });
    await api.get(`${configsPath()}/${created.body.id}`);

    const [get, post] = (await journal(mock)) as [Entry, Entry];
    expect(post).toEqual({
      id: 1,
      time: expect.any(Number),
      tenant: 'acme',
      method: 'POST',
      path: '/v1/tenants/acme/integrations/slack/configs',
      query: {},
      operationId: 'createIntegrationConfig',
      status: 200,
      durationMs: expect.any(Number),
      requestHeaders: expect.objectContaining({ authorization: `Bearer ${REDACTED}`, 'content-type': 'application/json' }),
      requestBody: { displayName: 'Main' },
      responseBody: created.body,
      fault: null,
      violations: [],
    });
    expect(get).toMatchObject({ id: 2, method: 'GET', operationId: 'getIntegrationConfig', responseBody: created.body });
    expect(get.time).toBeGreaterThanOrEqual(post.time);
  });

  it('records failures too: the problem body, a 401 without a token, an unknown route', async () => {
    const { app, api, mock } = await makeHarness();
    await api.post(configsPath(), {});
    await request(app).get('/v1/tenants/acme/integrations');
    await request(app).get('/v1/nowhere').set(AUTH);

    const [unknown, unauthorized, invalid] = (await journal(mock)) as [Entry, Entry, Entry];
    expect(invalid).toMatchObject({ status: 400, operationId: 'createIntegrationConfig', responseBody: { code: 'VALIDATION_FAILED' } });
    expect(unauthorized).toMatchObject({ status: 401, operationId: 'listIntegrations', responseBody: null });
    expect(unauthorized.requestHeaders).not.toHaveProperty('authorization');
    expect(unknown).toMatchObject({ status: 404, operationId: null, tenant: null, path: '/v1/nowhere' });
  });

  it('does not record control-plane calls', async () => {
    const { mock } = await makeHarness();
    await mock.get('/health');
    await mock.get('/state');
    expect(await journal(mock)).toEqual([]);
  });

  it('redacts every credential value, keeping the parameter names', async () => {
    const { api, mock, mintKey } = await makeHarness();
    const key = await mintKey('acme', 'github');
    const credentials = {
      displayName: 'gh',
      auth: { integrationAuthMetadataId: 'api_key', parameters: { token: 'ghp_top' } },
      authMap: [{ parameters: { channel: 'C1' }, authConfig: { integrationAuthMetadataId: 'api_key', parameters: { token: 'ghp_map' } } }],
      sandboxVariant: {
        auth: { integrationAuthMetadataId: 'api_key', parameters: { token: 'ghp_sandbox' } },
        authMap: [{ authConfig: { integrationAuthMetadataId: 'api_key', parameters: { token: 'ghp_sandbox_map' } } }],
      },
      oAuthCredentialKey: key,
    };
    const res = await api.post(configsPath('github'), credentials).set('Cookie', 'session=s3cr3t; theme=dark').set('X-API-Key', 'k3y');
    expect(res.status).toBe(200);

    const [entry] = await journal(mock);
    const text = JSON.stringify(entry);
    for (const secret of ['ghp_top', 'ghp_map', 'ghp_sandbox', 'ghp_sandbox_map', key, 'test-token', 's3cr3t', 'dark', 'k3y']) expect(text).not.toContain(secret);
    expect(entry!.requestBody).toMatchObject({
      auth: { parameters: { token: REDACTED } },
      authMap: [{ parameters: { channel: 'C1' }, authConfig: { parameters: { token: REDACTED } } }],
      sandboxVariant: { auth: { parameters: { token: REDACTED } }, authMap: [{ authConfig: { parameters: { token: REDACTED } } }] },
      oAuthCredentialKey: REDACTED,
    });
  });

  it.each([
    ['method', '?method=get', ['getIntegration', 'listIntegrationConfigs']],
    ['path prefix', '?path=/v1/tenants/globex', ['listIntegrationConfigs']],
    ['operation id', '?operationId=createIntegrationConfig', ['createIntegrationConfig', 'createIntegrationConfig']],
    ['status', '?status=400', ['createIntegrationConfig']],
    ['tenant', '?tenant=acme', ['getIntegration', 'createIntegrationConfig', 'createIntegrationConfig']],
    ['limit', '?limit=2', ['getIntegration', 'listIntegrationConfigs']],
    ['several filters at once', '?method=POST&status=200', ['createIntegrationConfig']],
  ])('filters by %s', async (_name, query, operationIds) => {
    const { api, as, mock } = await makeHarness();
    await api.post(configsPath(), { displayName: 'ok' });
    await api.post(configsPath(), {});
    await as('globex').get(configsPath());
    await api.get('/integrations/slack');
    expect((await journal(mock, query)).map((e) => e.operationId)).toEqual(operationIds);
  });

  it('filters by since, in epoch ms or ISO form', async () => {
    const { api, mock } = await makeHarness();
    await api.get('/integrations/slack');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = Date.now();
    await api.get('/integrations/github');
    expect((await journal(mock, `?since=${since}`)).map((e) => e.path)).toEqual(['/v1/tenants/acme/integrations/github']);
    expect(await journal(mock, `?since=${new Date(since).toISOString()}`)).toHaveLength(1);
    expect(await journal(mock, `?since=${since + 60_000}`)).toEqual([]);
  });

  it('rejects a filter of the wrong type with 400', async () => {
    const { mock } = await makeHarness();
    expect((await mock.get('/requests?status=teapot')).status).toBe(400);
    expect((await mock.get('/requests?colour=red')).status).toBe(400);
  });

  it('DELETE clears it', async () => {
    const { api, mock } = await makeHarness();
    await api.get('/integrations/slack');
    expect((await mock.delete('/requests')).status).toBe(204);
    expect(await journal(mock)).toEqual([]);
  });

  it('does not change what the API answers: same requests, same bytes, journal read or not', async () => {
    const run = async (readJournal: boolean) => {
      const { api, mock } = await makeHarness();
      const bodies: string[] = [];
      for (const name of ['a', 'b']) {
        const res = await api.post(configsPath(), { displayName: name });
        bodies.push(res.text, (await api.post(`${configsPath()}/${res.body.id}:publish`, {})).text);
        if (readJournal) await journal(mock);
      }
      return bodies;
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe('RequestLog', () => {
  const entry = (url: string, time = 0, extra: Partial<RequestRecord> = {}): RequestRecord => ({
    time,
    method: 'GET',
    url,
    operationId: null,
    status: 200,
    durationMs: 0,
    fault: null,
    violations: [],
    headers: {},
    requestBody: undefined,
    responseBody: undefined,
    ...extra,
  });

  it('keeps at most its capacity: the oldest entries go first once it is full', () => {
    const journal = new RequestLog(3);
    for (const path of ['/1', '/2', '/3', '/4', '/5']) journal.record(entry(path));
    expect(journal.list().map((e) => e.path)).toEqual(['/5', '/4', '/3']);
    expect(journal.list().map((e) => e.id)).toEqual([5, 4, 3]);
  });

  it('keeps order when one tenant is cleared after it has been full', () => {
    const journal = new RequestLog(4);
    const tenants = ['a', 'b', 'a', 'b', 'a', 'b', 'a'];
    tenants.forEach((tenant, i) => journal.record(entry(`/v1/tenants/${tenant}/x/${i}`, i)));
    expect(journal.list().map((e) => e.path)).toEqual(['/v1/tenants/a/x/6', '/v1/tenants/b/x/5', '/v1/tenants/a/x/4', '/v1/tenants/b/x/3']);
    journal.clear('b');
    expect(journal.list().map((e) => [e.id, e.path, e.time])).toEqual([
      [7, '/v1/tenants/a/x/6', 6],
      [5, '/v1/tenants/a/x/4', 4],
    ]);
    expect(journal.size).toBe(2);
    journal.record(entry('/v1/tenants/a/x/9', 9));
    expect(journal.list().map((e) => e.path)).toEqual(['/v1/tenants/a/x/9', '/v1/tenants/a/x/6', '/v1/tenants/a/x/4']);
  });

  it('gives back what it was handed, as the entry says: query, headers and bodies, redacted, after many more entries', () => {
    const journal = new RequestLog(50);
    const body = { displayName: 'Ωmega ☃ 𝄞', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 'xoxb-secret' } }, list: Array.from({ length: 300 }, (_, i) => `item ${i}`) };
    for (let i = 0; i < 500; i++) {
      journal.record(
        entry(`/v1/tenants/t${i % 3}/integrations/slack/configs?pageSize=${i}&q=%C3%A9`, i, {
          method: i % 2 ? 'POST' : 'GET',
          status: i % 7 === 0 ? null : 200 + (i % 5),
          headers: { authorization: `Bearer tok-${i}`, 'x-trace': `trace ${i} ✓`, 'set-cookie': ['a=1', 'b=2'] },
          requestBody: i % 2 ? JSON.stringify({ ...body, n: i }) : undefined,
          responseBody: i % 4 === 0 ? `{"n":${i},"accessToken":"at-${i}","text":"ü"}` : i % 4 === 1 ? 'not json ✗' : i % 4 === 2 ? '' : undefined,
        }),
      );
    }
    const entries = journal.list();
    expect(entries).toHaveLength(50);
    const newest = entries[0]!;
    expect(newest).toMatchObject({
      id: 500,
      time: 499,
      tenant: 't1',
      method: 'POST',
      path: '/v1/tenants/t1/integrations/slack/configs',
      query: { pageSize: '499', q: 'é' },
      status: 204,
      requestHeaders: { authorization: 'Bearer [redacted]', 'x-trace': 'trace 499 ✓', 'set-cookie': 'a=1, b=2' },
      requestBody: { ...body, auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: '[redacted]' } }, n: 499 },
      responseBody: null,
    });
    expect(entries.find((e) => e.id === 497)).toMatchObject({ status: 201, requestBody: null, responseBody: { n: 496, accessToken: '[redacted]', text: 'ü' } });
    expect(entries.find((e) => e.id === 498)).toMatchObject({ responseBody: 'not json ✗' });
    expect(entries.find((e) => e.id === 499)).toMatchObject({ responseBody: null });
    expect(entries.find((e) => e.id === 456)).toMatchObject({ status: null });
    expect(journal.list({ tenant: 't0', method: 'get', limit: 3 }).map((e) => e.id)).toEqual([499, 493, 487]);
  });

  it('keeps at most its byte bound: 1,000 rejected 1 MB requests leave it no larger than the bound', () => {
    const log = new RequestLog(1000, 8 * 1024 * 1024);
    const megabyte = JSON.stringify({ displayName: 'x'.repeat(1024 * 1024) });
    for (let i = 0; i < 1000; i++) log.record(entry(`/v1/tenants/acme/integrations/slack/configs?n=${i}`, i, { method: 'POST', status: 400, requestBody: megabyte }));
    expect(log.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    const kept = log.list();
    // Newest first, each with its whole body: a 1 MB entry is an eighth of the bound.
    expect(kept.length).toBeGreaterThanOrEqual(6);
    expect(kept.length).toBeLessThanOrEqual(8);
    expect(kept[0]).toMatchObject({ id: 1000, query: { n: '999' }, requestBody: { displayName: 'x'.repeat(1024 * 1024) } });
    expect(kept.map((e) => e.id)).toEqual(kept.map((_, i) => 1000 - i));
  });

  it('keeps the numbers of an entry larger than a quarter of its byte bound, with a note for its bodies', () => {
    const log = new RequestLog(10, 1024 * 1024);
    log.record(entry('/v1/tenants/acme/a', 1, { requestBody: JSON.stringify('x'.repeat(300 * 1024)), responseBody: '{"ok":true}' }));
    log.record(entry('/v1/tenants/acme/b', 2, { requestBody: '{"small":true}' }));
    const [small, large] = log.list();
    expect(small).toMatchObject({ path: '/v1/tenants/acme/b', requestBody: { small: true } });
    expect(large).toMatchObject({
      path: '/v1/tenants/acme/a',
      status: 200,
      requestBody: `[not recorded: ${300 * 1024 + 2} characters, more than the request log keeps]`,
      responseBody: '[not recorded: 11 characters, more than the request log keeps]',
    });
    expect(log.bytes).toBeLessThan(10 * 1024);
  });

  it('gives its byte count back when cleared, wholly or by tenant', () => {
    const log = new RequestLog(10, 1024 * 1024);
    log.record(entry('/v1/tenants/a/x', 1, { requestBody: JSON.stringify('a'.repeat(1000)) }));
    log.record(entry('/v1/tenants/b/x', 2, { requestBody: JSON.stringify('b'.repeat(5000)) }));
    const both = log.bytes;
    log.clear('b');
    expect(log.bytes).toBeLessThan(both - 5000);
    expect(log.list().map((e) => e.tenant)).toEqual(['a']);
    log.clear();
    expect(log.bytes).toBe(0);
  });

  it('takes its byte bound from --journal-bytes, 32 MiB by default', () => {
    expect(parseOptions([], {})).toMatchObject({ journalBytes: DEFAULT_LOG_BYTES });
    expect(DEFAULT_LOG_BYTES).toBe(32 * 1024 * 1024);
    expect(parseOptions(['--journal-bytes', '65536'], {})).toMatchObject({ journalBytes: 65536 });
    expect(() => parseOptions(['--journal-bytes', '12'], {})).toThrow(/--journal-bytes must be a whole number from 4096/);
  });

  it('keeps only as many requests as the configured size', async () => {
    const { api, mock } = await makeHarness({ journalSize: 2 });
    for (const id of ['slack', 'github', 'telegram']) await api.get(`/integrations/${id}`);
    const res = await mock.get('/requests');
    expect(res.body).toMatchObject({ totalCount: 2, capacity: 2 });
    expect(res.body.items.map((e: Entry) => e.path)).toEqual(['/v1/tenants/acme/integrations/telegram', '/v1/tenants/acme/integrations/github']);
  });
});
