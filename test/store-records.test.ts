import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { opsLine, stateLine } from '../src/store/journal.js';
import { Store, StoreFileError } from '../src/store/store.js';
import { emptyData, type BindingRecord, type ConfigRecord, type ParticipantRecord } from '../src/store/types.js';

let dir: string;
let file: string;
const journal = () => `${file}.journal`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fruxon-records-'));
  file = join(dir, 'db.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function config(id: string, fields: Partial<ConfigRecord> = {}): ConfigRecord {
  return {
    id,
    tenant: 'acme',
    integrationId: 'slack',
    displayName: id,
    parameters: { nested: { list: [1, 'two'] } },
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

function participant(id: string): ParticipantRecord {
  return { id, tenant: 'acme', kind: 'PERSON', displayName: id, email: null, relatedAgentId: null, avatarFileId: null, channels: [], disabledAt: null, createdAt: 1, modifiedAt: 1 };
}

function binding(id: string, participantId: string): BindingRecord {
  return { id, tenant: 'acme', tenantId: 't', participantId, agentId: 'agent', roles: ['r'], consultAllowed: true, maxUrgency: 'LOW', defaultForRoles: [], createdAt: 1, modifiedAt: 1 };
}

/** Opens the store file as a restart after a crash would: nothing was ever folded into the store file. */
const NEVER_FOLD = { compactAfterBytes: Number.MAX_SAFE_INTEGER };

describe('records are copies', () => {
  it('keeps a record as it was put, whatever the caller does to its object afterwards', async () => {
    const store = await Store.openMemory();
    const record = config('a');
    await store.mutate(() => store.putConfig(record));
    record.displayName = 'changed by the caller';
    (record.parameters.nested as { list: unknown[] }).list.push('three');
    expect(store.findConfig('acme', 'slack', 'a')).toEqual(config('a'));
  });

  it('gives a fresh object on every read, so editing one changes neither the store nor the next read', async () => {
    const store = await Store.openMemory();
    await store.mutate(() => store.putConfig(config('a')));
    const found = store.findConfig('acme', 'slack', 'a')!;
    found.displayName = 'edited';
    store.listConfigs('acme', 'slack')[0]!.parameters.extra = true;
    store.snapshot().configs.a!.createdBy = 'nobody';
    expect(store.findConfig('acme', 'slack', 'a')).toEqual(config('a'));
    expect(store.findConfig('acme', 'slack', 'a')).not.toBe(store.findConfig('acme', 'slack', 'a'));
  });

  it('copies the initial state of a memory store instead of sharing it', async () => {
    const initial = { ...emptyData(), configs: { a: config('a') } };
    const store = await Store.openMemory(initial);
    initial.configs.a.displayName = 'changed';
    expect(store.findConfig('acme', 'slack', 'a')?.displayName).toBe('a');
  });

  it('keeps a record keyed __proto__ as a plain key, as JSON.parse does', async () => {
    const store = await Store.openMemory();
    await store.replaceAll(JSON.parse(JSON.stringify({ ...emptyData(), configs: {} }).replace('"configs":{}', `"configs":{"__proto__":${JSON.stringify(config('__proto__'))}}`)));
    const snapshot = store.snapshot();
    expect(Object.keys(snapshot.configs)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(snapshot.configs)).toBe(Object.prototype);
    expect(store.findTenantConfig('acme', '__proto__')?.id).toBe('__proto__');
  });
});

describe('journal lines built from record texts', () => {
  it('are the JSON of the entry they stand for', () => {
    const meta = { schemaVersion: 1 as const, sequence: 7 };
    const a = config('a', { displayName: 'quote " backslash \\ é 🙂' });
    expect(opsLine(meta, [['configs', 'a', JSON.stringify(a)], ['revisions', 'r "1"', null]])).toBe(
      `${JSON.stringify({ meta, ops: [['configs', 'a', a], ['revisions', 'r "1"', null]] })}\n`,
    );
    const state = { ...emptyData(), meta, configs: { a }, participants: { p: participant('p') } };
    const collections = (['configs', 'revisions', 'oauthKeys', 'participants', 'bindings'] as const).map(
      (name) => [name, Object.entries(state[name]).map(([key, record]) => [key, JSON.stringify(record)] as const)] as const,
    );
    expect(stateLine(meta, collections)).toBe(`${JSON.stringify({ meta, state })}\n`);
  });

  it('replay puts, deletes and cascades after a crash to the state that was acknowledged', async () => {
    const store = await Store.openFile(file, NEVER_FOLD);
    await store.mutate(() => {
      store.nextSequence();
      store.putConfig(config('a'));
      store.putConfig(config('b', { displayName: 'line\nbreak "quoted" \\ \u2028' }));
      store.putParticipant(participant('p'));
      store.putBinding(binding('b1', 'p'));
    });
    await store.mutate(() => store.putConfig(config('a', { displayName: 'renamed' })));
    await store.mutate(() => store.deleteConfig('b'));
    await store.mutate(() => store.deleteParticipant('p'));
    expect(existsSync(file)).toBe(false); // a crash now: the journal alone holds the state

    const reopened = await Store.openFile(file, NEVER_FOLD);
    expect(reopened.snapshot()).toEqual(store.snapshot());
    expect(JSON.stringify(reopened.snapshot())).toBe(JSON.stringify(store.snapshot()));
    expect(reopened.listConfigs('acme', 'slack').map((c) => c.displayName)).toEqual(['renamed']);
    expect(reopened.counts()).toEqual({ configs: 1, revisions: 0, oauthKeys: 0, participants: 0, bindings: 0 });
    await reopened.close();
  });

  it('replay a full-state entry, and the writes after it, to the state that was acknowledged', async () => {
    const store = await Store.openFile(file, NEVER_FOLD);
    await store.mutate(() => store.putConfig(config('gone')));
    await store.replaceAll({ ...emptyData(), meta: { schemaVersion: 1, sequence: 40 }, configs: { z: config('z') }, participants: { p: participant('p') } });
    await store.mutate(() => store.putBinding(binding('b1', 'p')));
    const lines = readFileSync(journal(), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toEqual({ meta: { schemaVersion: 1, sequence: 40 }, state: { ...emptyData(), meta: { schemaVersion: 1, sequence: 40 }, configs: { z: config('z') }, participants: { p: participant('p') } } });

    const reopened = await Store.openFile(file, NEVER_FOLD);
    expect(reopened.snapshot()).toEqual(store.snapshot());
    expect(Object.keys(reopened.snapshot().configs)).toEqual(['z']);
    expect(reopened.listBindings('acme', { participantId: 'p' }).map((b) => b.id)).toEqual(['b1']);
    await reopened.close();
  });

  it('replays a journal written by the code before records were held as text', async () => {
    // What `JSON.stringify(entry)` of a JournalEntry gave: records as objects, removals as null.
    const entries = [
      { meta: { schemaVersion: 1, sequence: 1 }, ops: [['configs', 'a', config('a')], ['configs', 'b', config('b')]] },
      { meta: { schemaVersion: 1, sequence: 2 }, ops: [['configs', 'a', null]] },
    ];
    writeFileSync(journal(), entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    const store = await Store.openFile(file);
    expect(Object.keys(store.snapshot().configs)).toEqual(['b']);
    expect(store.snapshot().meta.sequence).toBe(2);
    await store.close();
  });
});

describe('a store file with a bad record', () => {
  const valid = { ...emptyData(), configs: { a: config('a') } };

  it.each([
    ['a record that is not an object', { ...valid, revisions: { r: 'text' } }, 'revisions.r must be an object'],
    ['a record without a tenant', { ...valid, participants: { p: { ...participant('p'), tenant: '' } } }, 'participants.p.tenant must be a non-empty string'],
    ['a record under another id', { ...valid, configs: { a: config('a'), b: config('c') } }, "configs.b is keyed by 'b' but its id is 'c'"],
    // The same record problem with a bad meta: the meta is reported first, as before.
    ['a bad meta as well', { ...valid, meta: { schemaVersion: 2, sequence: 0 }, revisions: { r: 'text' } }, 'meta.schemaVersion must be 1 and meta.sequence a number'],
    // Problems in two collections: the first in collection order is reported, wherever it sits in the file.
    ['problems in two collections', { meta: valid.meta, bindings: { b: 1 }, configs: { a: config('x') }, revisions: {}, oauthKeys: {} }, "configs.a is keyed by 'a' but its id is 'x'"],
  ])('refuses %s with the same StoreFileError as before, and leaves the file as it was', async (_name, data, reason) => {
    const text = JSON.stringify(data, null, 2);
    writeFileSync(file, text);
    const error = await Store.openFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toBe(`cannot use store file ${file}: ${reason}`);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(journal())).toBe(false);
  });

  it('refuses the same state with the same reason when it is imported', async () => {
    const store = await Store.openMemory();
    await expect(store.replaceAll({ ...valid, configs: { a: config('a'), b: config('c') } })).rejects.toThrow("configs.b is keyed by 'b' but its id is 'c'");
  });
});
