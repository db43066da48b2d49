import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Store, StoreFileError } from '../src/store/store.js';
import { emptyData, type ConfigRecord, type RevisionRecord, type StoreData } from '../src/store/types.js';

let dir: string;
let file: string;
const journal = () => `${file}.journal`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fruxon-store-'));
  file = join(dir, 'db.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function config(id: string, fields: Partial<ConfigRecord> = {}): ConfigRecord {
  return {
    id,
    tenant: 'acme',
    integrationId: 'slack',
    displayName: id,
    parameters: {},
    auth: null,
    authMap: [],
    sandboxMode: 'NONE',
    sandboxVariant: null,
    publishedRevisionId: null,
    createdBy: 'someone@example.com',
    createdAt: 1,
    modifiedAt: 1,
    ...fields,
  };
}

function revision(id: string, configId: string, version: number): RevisionRecord {
  const { parameters, auth, authMap, sandboxMode, sandboxVariant, createdBy, createdAt } = config(configId);
  return { id, tenant: 'acme', tenantId: 't', configId, version, parameters, auth, authMap, sandboxMode, sandboxVariant, note: null, createdBy, createdAt };
}

const createConfig = (store: Store, id: string, fields?: Partial<ConfigRecord>) =>
  store.mutate(() => {
    store.nextSequence();
    store.putConfig(config(id, fields));
  });

const line = (entry: unknown) => `${JSON.stringify(entry)}\n`;
/** As if the process holding the store had been killed: its lock is left for the next one to take over. */
const crash = () => rmSync(`${file}.lock`, { force: true });
const STORE_FILE = JSON.stringify({ ...emptyData(), configs: { a: config('a') } }, null, 2);

describe('Store on a file', () => {
  it('keeps every acknowledged write when the process stops without flush or close', async () => {
    const first = await Store.openFile(file);
    await Promise.all(Array.from({ length: 50 }, (_, i) => createConfig(first, `c${i}`)));
    await first.mutate(() => first.deleteConfig('c7'));
    // Nothing was folded into the store file yet: the journal alone carries the writes.
    expect(existsSync(file)).toBe(false);

    crash();
    const reopened = await Store.openFile(file);
    expect(reopened.counts().configs).toBe(49);
    expect(reopened.snapshot()).toEqual(first.snapshot());
    expect(reopened.snapshot().meta.sequence).toBe(50);
    await reopened.close();
  });

  it('writes one journal line per change, appended, never rewriting the store file', async () => {
    const store = await Store.openFile(file);
    await createConfig(store, 'a');
    await createConfig(store, 'b');
    const lines = readFileSync(journal(), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { meta: { schemaVersion: 1, sequence: 1 }, ops: [['configs', 'a', config('a')]] },
      { meta: { schemaVersion: 1, sequence: 2 }, ops: [['configs', 'b', config('b')]] },
    ]);
    await store.close();
  });

  it('leaves the whole state in a readable lowdb file and no journal after flush', async () => {
    const store = await Store.openFile(file);
    await createConfig(store, 'a');
    await store.flush();
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual(store.snapshot());
    expect(text).toContain('\n  "configs": {\n');
    expect(existsSync(journal()) ? readFileSync(journal(), 'utf8') : '').toBe('');
    await store.close();
  });

  it('folds the journal into the store file in the background once it outgrows it', async () => {
    const store = await Store.openFile(file, { compactAfterBytes: 2_000 });
    for (let i = 0; i < 20; i++) await createConfig(store, `c${i}`);
    await vi.waitFor(() => expect(existsSync(file)).toBe(true));
    expect(readFileSync(journal(), 'utf8').length).toBeLessThan(20 * 300);
    await createConfig(store, 'last');

    // Reopened as after a crash: the folded store file plus the journal written since.
    crash();
    const reopened = await Store.openFile(file);
    expect(reopened.counts().configs).toBe(21);
    await reopened.close();
  });

  it('keeps the exact state when changes land while the store file is being rewritten', async () => {
    const store = await Store.openFile(file, { compactAfterBytes: 5_000 });
    const changes: Promise<unknown>[] = [];
    // At least 400 changes, and more until a fold has finished while they land (a fold takes a few turns).
    for (let i = 0; i < 400 || (!existsSync(file) && i < 20_000); i++) {
      changes.push(createConfig(store, `c${i}`, { displayName: `v${i}` }));
      if (i % 3 === 0) changes.push(store.mutate(() => store.putConfig(config(`c${i}`, { displayName: `edited ${i}` }))));
      if (i % 7 === 0) changes.push(store.mutate(() => store.deleteConfig(`c${i - 1}`)));
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(changes);
    expect(existsSync(file)).toBe(true); // folds ran while the changes were landing

    crash();
    const reopened = await Store.openFile(file);
    expect(reopened.snapshot()).toEqual(store.snapshot());
    await reopened.close();
  });

  it('replays a journal whose last line a crash cut short, without that line', async () => {
    writeFileSync(file, STORE_FILE);
    const torn = line({ meta: { schemaVersion: 1, sequence: 3 }, ops: [['configs', 'c', config('c')]] }).slice(0, 40);
    writeFileSync(journal(), line({ meta: { schemaVersion: 1, sequence: 2 }, ops: [['configs', 'b', config('b')]] }) + torn);

    const store = await Store.openFile(file);
    expect(Object.keys(store.snapshot().configs)).toEqual(['a', 'b']);
    expect(store.snapshot().meta.sequence).toBe(2);
    // Recovery folded the journal in, so the torn line cannot end up between later lines.
    expect(readFileSync(journal(), 'utf8')).toBe('');
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).configs)).toEqual(['a', 'b']);
    await store.close();
  });

  it('replays a journal left aside by a crash during folding, then the current one', async () => {
    writeFileSync(file, STORE_FILE);
    writeFileSync(`${file}.journal.folding`, line({ meta: { schemaVersion: 1, sequence: 2 }, ops: [['configs', 'b', config('b')]] }));
    writeFileSync(journal(), line({ meta: { schemaVersion: 1, sequence: 3 }, ops: [['configs', 'a', null]] }));
    const store = await Store.openFile(file);
    expect(Object.keys(store.snapshot().configs)).toEqual(['b']);
    expect(existsSync(`${file}.journal.folding`)).toBe(false);
    await store.close();
  });

  it.each([
    ['a store file that is not JSON', '{"meta": {', undefined, /db\.json/],
    ['a store file of the wrong shape', '[]', undefined, /top level is not an object/],
    ['a journal line that is not JSON', STORE_FILE, 'not json\n{}\n', /line 1 is not a journal entry/],
    ['a journal entry on an unknown collection', STORE_FILE, line({ meta: { schemaVersion: 1, sequence: 1 }, ops: [['nope', 'x', {}]] }), /unknown|known collection/],
  ])('refuses %s with StoreFileError and changes no file', async (_name, storeText, journalText, message) => {
    writeFileSync(file, storeText);
    if (journalText !== undefined) writeFileSync(journal(), journalText);
    const error = await Store.openFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toMatch(message);
    expect(readFileSync(file, 'utf8')).toBe(storeText);
    if (journalText !== undefined) expect(readFileSync(journal(), 'utf8')).toBe(journalText);
  });
});

describe('Store.mutate', () => {
  it('undoes every write of a change that throws, sequence included, and journals nothing', async () => {
    const store = await Store.openFile(file);
    await createConfig(store, 'a');
    await store.mutate(() => store.putRevision(revision('r1', 'a', 1)));
    const before = store.snapshot();

    const failing = store.mutate(() => {
      store.nextSequence();
      store.putConfig(config('b'));
      store.putConfig(config('a', { displayName: 'changed' }));
      store.deleteConfig('a');
      throw new Error('refused');
    });
    await expect(failing).rejects.toThrow('refused');

    expect(store.snapshot()).toEqual(before);
    expect(store.listConfigs('acme', 'slack').map((c) => c.id)).toEqual(['a']);
    expect(store.listRevisions('acme', 'a').map((r) => r.id)).toEqual(['r1']);
    expect(readFileSync(journal(), 'utf8').trimEnd().split('\n')).toHaveLength(2);
    await store.close();
  });

  it('refuses writes outside mutate', async () => {
    const store = await Store.openMemory();
    expect(() => store.putConfig(config('a'))).toThrow(/inside store\.mutate/);
    expect(() => store.nextSequence()).toThrow(/inside store\.mutate/);
  });

  it('journals a replaced state as one entry that replays to that state', async () => {
    const store = await Store.openFile(file);
    await createConfig(store, 'a');
    const { replaceState } = store as unknown as { replaceState: (next: StoreData) => void };
    await store.mutate(() => replaceState.call(store, { ...emptyData(), configs: { z: config('z') } }));
    await createConfig(store, 'y');
    expect(store.listConfigs('acme', 'slack').map((c) => c.id)).toEqual(['z', 'y']);

    crash();
    const reopened = await Store.openFile(file);
    expect(reopened.snapshot()).toEqual(store.snapshot());
    await reopened.close();
  });
});

describe('Store lists', () => {
  it('lists a tenant integration configs in creation order, through the index', async () => {
    const store = await Store.openMemory();
    await createConfig(store, 'a');
    await createConfig(store, 'b', { tenant: 'other' });
    await createConfig(store, 'c', { integrationId: 'github' });
    await createConfig(store, 'd');
    await createConfig(store, 'a', { displayName: 'renamed' });
    expect(store.listConfigs('acme', 'slack').map((c) => [c.id, c.displayName])).toEqual([
      ['a', 'renamed'],
      ['d', 'd'],
    ]);
    expect(store.listConfigs('other', 'slack').map((c) => c.id)).toEqual(['b']);
    expect(store.listConfigs('acme', 'github').map((c) => c.id)).toEqual(['c']);
  });

  it('removes a deleted config revisions from every list', async () => {
    const store = await Store.openMemory();
    await createConfig(store, 'a');
    await createConfig(store, 'b');
    await store.mutate(() => {
      store.putRevision(revision('r1', 'a', 1));
      store.putRevision(revision('r2', 'b', 1));
      store.putRevision(revision('r3', 'a', 2));
    });
    expect(store.listRevisions('acme', 'a').map((r) => r.id)).toEqual(['r1', 'r3']);
    expect(store.listRevisions('other', 'a')).toEqual([]);
    await store.mutate(() => store.deleteConfig('a'));
    expect(store.listRevisions('acme', 'a')).toEqual([]);
    expect(store.counts()).toEqual({ configs: 1, revisions: 1, oauthKeys: 0, participants: 0, bindings: 0, integrations: 0, webhookKeys: 0, accessRequests: 0, providerAnswers: 0, agents: 0, slotBindings: 0 });
  });
});
