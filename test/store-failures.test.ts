import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_LOG_FS, type LogFs } from '../src/store/log.js';
import { Store, StoreWriteError } from '../src/store/store.js';
import type { StoreData } from '../src/store/types.js';
import { configsPath, expectProblem, makeHarness } from './helpers.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fruxon-failures-'));
  file = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/**
 * The journal's file operations, made to fail on demand as a full disk (a write that gets half its bytes
 * out), exhausted file handles or a failing device would; `hold` keeps syncs waiting until released.
 */
function faultyFs() {
  const state = { write: undefined as string | undefined, sync: undefined as string | undefined, hold: undefined as Promise<void> | undefined };
  const fs: LogFs = {
    ...NODE_LOG_FS,
    write: (fd, data) => {
      if (state.write) {
        NODE_LOG_FS.write(fd, data.subarray(0, Math.floor(data.length / 2)));
        throw errno(state.write);
      }
      NODE_LOG_FS.write(fd, data);
    },
    sync: async (fd) => {
      await state.hold;
      if (state.sync) throw errno(state.sync);
      await NODE_LOG_FS.sync(fd);
    },
  };
  return { fs, state };
}

const names = async (h: Awaited<ReturnType<typeof makeHarness>>) => ((await h.api.get(configsPath())).body as { displayName: string }[]).map((c) => c.displayName);

describe('store-write-failure: a failed write changes nothing visible', () => {
  it.each([
    ['a full disk (ENOSPC)', 'write', 'ENOSPC', 507, 'STORE_FULL'],
    ['exhausted file handles (EMFILE)', 'write', 'EMFILE', 503, 'STORE_UNAVAILABLE'],
    ['a sync that fails (EIO)', 'sync', 'EIO', 503, 'STORE_UNAVAILABLE'],
  ] as const)('store-write-failure: answers %s with a problem, shows and keeps nothing of it, and recovers without a restart', async (_name, where, code, status, problemCode) => {
    const faulty = faultyFs();
    const h = await makeHarness({ store: await Store.openFile(file, { fs: faulty.fs }) });
    expect((await h.api.post(configsPath(), { displayName: 'kept' })).status).toBe(200);

    faulty.state[where] = code;
    const failed = await h.api.post(configsPath(), { displayName: 'lost' });
    const body = expectProblem(failed, status, problemCode);
    expect(body.detail).toContain(code);
    expect(failed.headers['retry-after']).toBe('1');
    expect(await names(h)).toEqual(['kept']);
    const health = (await h.mock.get('/health')).body;
    expect(health.status).toBe('degraded');
    expect(health.store).toEqual({ status: 'degraded', reason: expect.stringContaining(code) });

    // Space (or the device) comes back: the next write works, and health says so.
    faulty.state[where] = undefined;
    expect((await h.api.post(configsPath(), { displayName: 'again' })).status).toBe(200);
    expect((await h.mock.get('/health')).body.store).toEqual({ status: 'ok' });
    expect(await names(h)).toEqual(['kept', 'again']);
    expect(readFileSync(`${file}.journal`, 'utf8')).not.toContain('lost');

    // After a restart, nothing answered with an error is there.
    rmSync(`${file}.lock`); // as after a crash
    const reopened = await makeHarness({ store: await Store.openFile(file) });
    expect(await names(reopened)).toEqual(['kept', 'again']);
    await reopened.store.close();
  });

  it('store-write-failure: a read waiting on a write that then fails never shows its record', async () => {
    const faulty = faultyFs();
    const h = await makeHarness({ store: await Store.openFile(file, { fs: faulty.fs }) });
    let release!: () => void;
    faulty.state.hold = new Promise((resolve) => (release = resolve));
    const posting = h.api.post(configsPath(), { displayName: 'lost' }).then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the create is applied and waits for its sync
    let listed: string[] | undefined;
    const listing = names(h).then((list) => (listed = list));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listed).toBeUndefined(); // the read waits for the write in flight

    faulty.state.sync = 'EIO';
    release();
    expectProblem(await posting, 503, 'STORE_UNAVAILABLE');
    await listing;
    expect(listed).toEqual([]);
  });

  it('store-write-failure: a store file that cannot be rewritten leaves no temp file, degrades health, and loses nothing', async () => {
    const broken = { on: true };
    const adapter = (path: string): Adapter<StoreData> => {
      const real = new JSONFile<StoreData>(path);
      return {
        read: () => real.read(),
        write: async (data) => {
          if (!broken.on) return real.write(data);
          writeFileSync(join(dir, '.state.json.tmp'), JSON.stringify(data).slice(0, 50)); // half a write, then the disk is full
          throw errno('ENOSPC');
        },
      };
    };
    const store = await Store.openFile(file, { adapter });
    const h = await makeHarness({ store });
    expect((await h.api.post(configsPath(), { displayName: 'kept' })).status).toBe(200);

    const error = await store.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreWriteError);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(file)).toBe(false);
    expect((await h.mock.get('/health')).body.store).toEqual({
      status: 'degraded',
      reason: expect.stringMatching(/store file could not be rewritten \(ENOSPC.*changes are kept in its journal/),
    });
    // Requests still work: the journal holds them.
    expect((await h.api.post(configsPath(), { displayName: 'meanwhile' })).status).toBe(200);

    broken.on = false;
    await store.flush();
    expect((await h.mock.get('/health')).body.store).toEqual({ status: 'ok' });
    expect(Object.values(JSON.parse(readFileSync(file, 'utf8')).configs).map((c) => (c as { displayName: string }).displayName)).toEqual(['kept', 'meanwhile']);
    await store.close();
  });
});

describe('PUT /__mock/state: imports are checked like requests', () => {
  const nested = (depth: number) => {
    let value: Record<string, unknown> = {};
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };

  it('rejects a record nested 4,000 deep with 422, changes nothing, and the store still opens again', async () => {
    const store = await Store.openFile(file);
    const h = await makeHarness({ store });
    await h.api.post(configsPath(), { displayName: 'kept' });
    const before = structuredClone(h.store.snapshot());
    const config = Object.values(before.configs)[0] as Record<string, unknown>;
    const deep = { ...before, configs: { [config.id as string]: { ...config, parameters: nested(4000) } } };
    expect(JSON.stringify(deep).length).toBeLessThan(1_000_000);

    const res = expectProblem(await h.mock.put('/state', deep), 422, 'UNPROCESSABLE');
    expect(res.detail).toContain('nested more than 32 levels deep');
    expect(structuredClone(h.store.snapshot())).toEqual(before);
    await store.close();
    const reopened = await Store.openFile(file);
    expect(reopened.snapshot()).toEqual(before);
    await reopened.close();
  });

  it('rejects a snapshot larger than the body limit with 413 and changes nothing', async () => {
    const h = await makeHarness();
    const before = (await h.mock.get('/state')).body;
    const huge = { ...before, configs: { x: { id: 'x', tenant: 'acme', pad: 'p'.repeat(1_100_000) } } };
    expectProblem(await h.mock.put('/state', huge), 413, 'PAYLOAD_TOO_LARGE');
    expect((await h.mock.get('/state')).body).toEqual(before);
  });

  it.each([
    ['a config without its fields', (c: Record<string, unknown>) => ({ id: c.id, tenant: c.tenant }), /configs\[".*"\]\.integrationId is missing/],
    ['an authMap that is a string', (c: Record<string, unknown>) => ({ ...c, authMap: 'oops' }), /configs\[".*"\]\.authMap must be an array/],
  ])('rejects %s with 422 naming the field, and changes nothing', async (_name, spoil, message) => {
    const h = await makeHarness();
    await h.api.post(configsPath(), { displayName: 'kept' });
    const before = structuredClone(h.store.snapshot());
    const [id, config] = Object.entries(before.configs)[0] as [string, Record<string, unknown>];
    const res = expectProblem(await h.mock.put('/state', { ...before, configs: { [id]: spoil(config) } }), 422, 'UNPROCESSABLE');
    expect(res.detail).toMatch(message);
    expect(structuredClone(h.store.snapshot())).toEqual(before);
  });

  it('rejects a sequence that would hand out an id the snapshot holds, and changes nothing', async () => {
    const h = await makeHarness();
    const mine = (await h.as('other').post(configsPath(), { displayName: 'another tenant' })).body;
    await h.api.post(configsPath(), { displayName: 'second' });
    const before = structuredClone(h.store.snapshot());

    const stale = { ...before, meta: { ...before.meta, sequence: 0 } };
    const res = expectProblem(await h.mock.put('/state', stale), 422, 'UNPROCESSABLE');
    expect(res.detail).toContain(`would hand out configs["${mine.id}"] again at sequence 1`);
    expect(structuredClone(h.store.snapshot())).toEqual(before);
    // With its own sequence it imports, and the next create gets a new id.
    expect((await h.mock.put('/state', before)).status).toBe(204);
    const next = (await h.api.post(configsPath(), { displayName: 'third' })).body;
    expect(Object.keys(before.configs)).not.toContain(next.id);
    expect((await h.as('other').get(`${configsPath()}/${mine.id}`)).body.displayName).toBe('another tenant');
  });
});

describe('the record schema', () => {
  it('holds for every kind of record the API stores, so a store it wrote always opens again', async () => {
    const store = await Store.openFile(file);
    const h = await makeHarness({ store });
    const config = (await h.api.post(configsPath(), {
      displayName: 'all fields',
      parameters: { workspace_domain: 'acme' },
      auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } },
      authMap: [{ parameters: { team: 'T1' } }],
      sandboxMode: 'SIMULATED',
    })).body;
    expect((await h.api.post(`${configsPath()}/${config.id}:publish`, { note: 'v1' })).status).toBe(200);
    const twilio = (await h.api.post(configsPath('twilio'), { displayName: 'sms' })).body;
    const participant = (await h.api.post('/participants', {
      displayName: 'Ada',
      email: 'ada@example.com',
      channels: [{ integrationConfigId: twilio.id, address: '+14155550123', priority: 1, label: 'mobile' }],
      agentIds: ['support_bot'],
    })).body;
    expect(participant.id).toEqual(expect.any(String));
    await h.mintKey('acme', 'github');
    const telegram = (await h.api.post(configsPath('telegram'), { displayName: 'bot' })).body;
    expect((await h.api.post(`${configsPath('telegram')}/${telegram.id}:generateWebhookUrl`)).status).toBe(200);
    expect((await h.api.post('/integrations', { id: 'acme_crm', displayName: 'CRM' })).status).toBe(200);
    const inbound = { tenant: 'acme', integrationConfigId: telegram.id, address: '555000111', agentId: 'support_bot' };
    expect((await h.mock.post('/inbound-messages', inbound)).status).toBe(200);
    expect((await h.mock.post('/provider-answers', { tenant: 'acme', address: '555000111' })).status).toBe(201);
    expect((await h.api.post('/agents', { id: 'acme_agent', tags: ['t'], externalConfig: { parameters: { url: 'u' } } })).status).toBe(201);
    expect((await h.mock.put('/tenants/acme/agents/acme_agent/definition', {
      slots: [{ name: 'owner', displayName: 'Owner', requiredKind: 'PERSON' }],
      integrationSlots: [{ id: '0f0f0f0f-0000-4000-8000-000000000001', integrationId: 'slack', tenantConfigId: config.id }],
    })).status).toBe(200);
    expect((await h.api.put(`/agents/acme_agent/slots/owner/binding/${participant.id}`)).status).toBe(200);
    const counts = store.counts();
    expect(Object.values(counts).every((count) => count > 0)).toBe(true);

    await store.close();
    const reopened = await Store.openFile(file);
    expect(reopened.counts()).toEqual(counts);
    await reopened.close();
  });
});
