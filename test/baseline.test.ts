import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BaselineError, MockControlError, mockClient, startMock, type MockServer, type StoreData } from '../src/index.js';

const H = { Authorization: 'Bearer t', 'Content-Type': 'application/json' };
const dirs: string[] = [];
const mocks: MockServer[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fruxon-baseline-'));
  dirs.push(dir);
  return dir;
};
const start = async (options: Parameters<typeof startMock>[0] = {}) => {
  const mock = await startMock(options);
  mocks.push(mock);
  return mock;
};
afterEach(async () => {
  for (const mock of mocks.splice(0)) await mock.close({ force: true });
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const createConfig = async (url: string, tenant: string, displayName: string) => {
  const res = await fetch(`${url}/v1/tenants/${tenant}/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; displayName: string };
};
const names = async (url: string, tenant = 'acme') =>
  ((await (await fetch(`${url}/v1/tenants/${tenant}/integrations/slack/configs`, { headers: H })).json()) as { displayName: string }[]).map((c) => c.displayName);

/** A snapshot of a mock holding two acme configs and one globex config. */
async function seededSnapshot(): Promise<StoreData> {
  const source = await start();
  await createConfig(source.url, 'acme', 'Sales');
  await createConfig(source.url, 'acme', 'Support');
  await createConfig(source.url, 'globex', 'Ops');
  return source.state();
}

describe('baseline-reset', () => {
  it('baseline-reset: startMock({ baseline }) starts there and reset() goes back, ids and all', async () => {
    const baseline = await seededSnapshot();
    const mock = await start({ baseline });
    expect(await names(mock.url)).toEqual(['Sales', 'Support']);
    const first = await createConfig(mock.url, 'acme', 'Added in a test');
    await mock.reset();
    expect(await names(mock.url)).toEqual(['Sales', 'Support']);
    expect(mock.state()).toEqual(baseline);
    // The sequence is the baseline's again: the same requests give the same ids.
    expect((await createConfig(mock.url, 'acme', 'Added in a test')).id).toBe(first.id);
  });

  it('baseline-reset: a tenant reset puts back only that tenant\'s baseline records', async () => {
    const mock = await start({ baseline: await seededSnapshot() });
    await createConfig(mock.url, 'acme', 'acme extra');
    await createConfig(mock.url, 'globex', 'globex extra');
    await mock.reset({ tenant: 'acme' });
    expect(await names(mock.url, 'acme')).toEqual(['Sales', 'Support']);
    expect(await names(mock.url, 'globex')).toEqual(['Ops', 'globex extra']);
  });

  it('baseline-reset: a snapshot exported with GET /__mock/state, redacted, is a valid baseline', async () => {
    const source = await start();
    await createConfig(source.url, 'acme', 'Exported');
    await source.mintCredentialKey({ tenant: 'acme', integrationId: 'github' });
    const exported = (await (await fetch(`${source.url}/__mock/state`)).json()) as StoreData;
    expect(Object.keys(exported.oauthKeys)).toEqual(['[redacted]-1']);
    const mock = await start({ baseline: exported });
    expect(await names(mock.url)).toEqual(['Exported']);
  });

  it('baseline-reset: reads --baseline FILE (startMock({ baseline: path }))', async () => {
    const file = join(tempDir(), 'baseline.json');
    writeFileSync(file, JSON.stringify(await seededSnapshot()));
    const mock = await start({ baseline: file });
    await createConfig(mock.url, 'acme', 'gone after reset');
    await mock.reset();
    expect(await names(mock.url)).toEqual(['Sales', 'Support']);
  });

  it.each([
    ['a missing file', () => join(tempDir(), 'nope.json'), /cannot use baseline .*nope\.json: no such file/],
    ['a file that is not JSON', () => {
      const file = join(tempDir(), 'b.json');
      writeFileSync(file, '{ nope');
      return file;
    }, /cannot use baseline .*b\.json: it is not JSON/],
    ['a file that is not a snapshot', () => {
      const file = join(tempDir(), 'db.json');
      writeFileSync(file, JSON.stringify({ posts: [] }));
      return file;
    }, /cannot use baseline .*db\.json: it is not a state snapshot: meta\.schemaVersion must be 1/],
  ])('refuses %s at start with a BaselineError naming it', async (_name, file, message) => {
    const error = await startMock({ baseline: file() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaselineError);
    expect((error as Error).message).toMatch(message);
  });

  it('baseline-reset: a store file that already holds records keeps them; a new one starts from the baseline', async () => {
    const db = join(tempDir(), 'state.json');
    const baseline = await seededSnapshot();
    const first = await start({ db, baseline });
    expect(await names(first.url)).toEqual(['Sales', 'Support']);
    await createConfig(first.url, 'acme', 'Kept');
    await first.close();
    mocks.splice(mocks.indexOf(first), 1);
    const second = await start({ db, baseline });
    expect(await names(second.url)).toEqual(['Sales', 'Support', 'Kept']);
    await second.reset();
    expect(await names(second.url)).toEqual(['Sales', 'Support']);
  });

  it('baseline-reset: setBaseline in-process and PUT /__mock/baseline change what reset goes back to', async () => {
    const baseline = await seededSnapshot();
    const mock = await start();
    mock.setBaseline(baseline);
    expect(await names(mock.url)).toEqual([]);
    await mock.reset();
    expect(await names(mock.url)).toEqual(['Sales', 'Support']);

    const client = mockClient(mock.url);
    await client.setBaseline(undefined);
    await client.reset();
    expect(await names(mock.url)).toEqual([]);
    await client.setBaseline(baseline);
    await client.reset();
    expect(await names(mock.url)).toEqual(['Sales', 'Support']);
  });

  it('refuses a baseline that is not a valid state, the same way in-process and over HTTP, keeping the one it had', async () => {
    const baseline = await seededSnapshot();
    const mock = await start({ baseline });
    const bad = { ...baseline, configs: { x: { id: 'y' } } } as unknown as StoreData;
    const inProcess = (() => {
      try {
        mock.setBaseline(bad);
      } catch (e) {
        return e;
      }
    })();
    const overHttp = await mockClient(mock.url).setBaseline(bad).catch((e: unknown) => e);
    for (const error of [inProcess, overHttp]) {
      expect(error).toBeInstanceOf(MockControlError);
      expect(error).toMatchObject({ status: 422, problem: { detail: expect.stringContaining('The snapshot is not a valid baseline') } });
    }
    expect((inProcess as Error).message).toBe((overHttp as Error).message);
    await mock.reset();
    expect(await names(mock.url)).toEqual(['Sales', 'Support']);
  });
});
