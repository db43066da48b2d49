import { ABSENT, Index } from './indexes.js';
import { opsLine, stateLine, type JournalEntry, type TextOp } from './journal.js';
import {
  FilePersistence,
  MEMORY_PERSISTENCE,
  StoreFileError,
  readStoredState,
  type FileOptions,
  type Persistence,
} from './persistence.js';
import { define } from './read-records.js';
import {
  emptyData,
  type BindingRecord,
  type ConfigRecord,
  type OAuthKeyRecord,
  type ParticipantRecord,
  type RevisionRecord,
  type StoreData,
} from './types.js';

export { StoreFileError } from './persistence.js';
export type { FileOptions } from './persistence.js';

/** Every record collection of the state. Journaling, indexes, counts and validation all follow this list. */
const COLLECTIONS = ['configs', 'revisions', 'oauthKeys', 'participants', 'bindings'] as const;

/** Collections added after schema version 1 first shipped; a file written before them opens with them empty. */
const LATER_COLLECTIONS = ['participants', 'bindings'] as const;

type CollectionName = (typeof COLLECTIONS)[number];
type Meta = StoreData['meta'];

/**
 * Each collection's records by key, each held as one string, its compact JSON (`JSON.stringify(record)`),
 * in the order they were stored. One string per record instead of a graph of small objects keeps the heap
 * small for V8's garbage collector to mark, and every read parses a fresh copy no caller can change in place.
 */
type Tables = Record<CollectionName, Map<string, string>>;

/** The whole state, as the store holds it. */
type State = { meta: Meta; tables: Tables };

/** A state read from a store file, each record already turned into its text (see RecordCheck). */
type TextData = { meta: Meta } & Record<CollectionName, Record<string, string>>;

/** A record's text before a transaction first touched it, or ABSENT when there was none, by collection and key. */
type Before = Map<CollectionName, Map<string, string | typeof ABSENT>>;

/** Secondary indexes, so lists cost O(their length). A collection without one is scanned. */
function createIndexes(): Partial<Record<CollectionName, Index>> {
  return {
    configs: new Index('configs', (c: ConfigRecord) => `${c.tenant}\u0000${c.integrationId}`),
    revisions: new Index('revisions', (r: RevisionRecord) => r.configId),
    participants: new Index('participants', (p: ParticipantRecord) => p.tenant),
    bindings: new Index('bindings', (b: BindingRecord) => `${b.tenant}\u0000${b.participantId}`),
  };
}

/** What one `mutate` changed, kept so a change that throws can be undone and one that returns journaled. */
type Transaction = {
  meta: Meta;
  before: Before;
  /** The state before `replaceState`, with the changes made to it before that call. */
  replaced?: { state: State; before: Before };
};

/**
 * The mock's state in memory, one class in front of it. Records go in as objects and come out as fresh
 * objects parsed from their stored text, so a caller never holds (or edits) what is stored. Routes never
 * touch the state; they read through the finders and change it only inside `mutate`, which runs its
 * function synchronously (so no other request can interleave), undoes it if it throws, and resolves once
 * the change is durable.
 *
 * Every write goes through `write(collection, key, record | ABSENT)`, which serializes the record once, keeps
 * the text for the journal and the indexes in step, so a new collection needs no persistence code of its own.
 */
export class Store {
  private state: State;
  private tx: Transaction | undefined;
  private readonly indexes = createIndexes();
  private readonly persistence: Persistence;

  private constructor(state: State, persistence: (content: () => Record<string, unknown>) => Persistence) {
    this.state = state;
    this.rebuildIndexes();
    // Read when a store file rewrite starts: the meta block and each collection's texts, as they are then.
    this.persistence = persistence(() => ({ meta: this.state.meta, ...this.state.tables }));
  }

  /**
   * A store persisted to a lowdb JSON file (created on first write) and a journal beside it. Journal entries
   * left by a crash are replayed and folded into the file before the store opens. Throws StoreFileError,
   * having changed no file, when the file or its journal cannot be used.
   */
  static async openFile(file: string, options: FileOptions = {}): Promise<Store> {
    const { state, replayed } = loadState(file);
    let persistence: FilePersistence | undefined;
    const store = new Store(state, (content) => (persistence = new FilePersistence(file, content, options)));
    if (replayed) await persistence!.foldReplayed();
    return store;
  }

  /** A store that lives in memory only (tests, `--in-memory`). It keeps a copy of `initial`. */
  static async openMemory(initial?: StoreData): Promise<Store> {
    return new Store(stateOf(initial ?? emptyData()), () => MEMORY_PERSISTENCE);
  }

  /**
   * Runs `change` synchronously, then resolves once what it changed is durable. A `change` that throws
   * changes nothing: every write it made is undone before the error propagates.
   */
  async mutate<T>(change: () => T): Promise<T> {
    if (this.tx) throw new Error('mutate cannot be nested');
    const tx: Transaction = { meta: { ...this.state.meta }, before: new Map() };
    this.tx = tx;
    let result: T;
    try {
      result = change();
    } catch (error) {
      this.rollback(tx);
      throw error;
    } finally {
      this.tx = undefined;
    }
    if (!this.persistence.durable) return result;
    const line = this.journalLine(tx);
    // A change that wrote nothing may still have read writes not yet durable: wait for those.
    await (line ? this.persistence.commit(line) : this.persistence.settle());
    return result;
  }

  /** Resolves once everything acknowledged so far is written into the store file itself. */
  async flush(): Promise<void> {
    await this.persistence.flush();
  }

  /** Flushes and releases the files. The store must not be used afterwards. */
  async close(): Promise<void> {
    await this.persistence.close();
  }

  /** The next value of the store's monotonic sequence; ids and faked fields derive from it. Call inside `mutate`. */
  nextSequence(): number {
    this.requireTransaction('nextSequence');
    this.state.meta.sequence += 1;
    return this.state.meta.sequence;
  }

  // Configs

  findConfig(tenant: string, integrationId: string, id: string): ConfigRecord | undefined {
    const config = this.find<ConfigRecord>('configs', id);
    return config && config.tenant === tenant && config.integrationId === integrationId ? config : undefined;
  }

  listConfigs(tenant: string, integrationId: string): ConfigRecord[] {
    return this.listGroup<ConfigRecord>('configs', `${tenant}\u0000${integrationId}`);
  }

  /** A config of the tenant by id alone, whatever its integration (channels carry only the config id). */
  findTenantConfig(tenant: string, id: string): ConfigRecord | undefined {
    const config = this.find<ConfigRecord>('configs', id);
    return config && config.tenant === tenant ? config : undefined;
  }

  putConfig(config: ConfigRecord): void {
    this.write('configs', config.id, config);
  }

  /** Removes the config and every revision of it. */
  deleteConfig(id: string): void {
    this.write('configs', id, ABSENT);
    for (const revisionId of [...this.indexOf('revisions').keys(id)]) this.write('revisions', revisionId, ABSENT);
  }

  // Revisions

  findRevision(tenant: string, configId: string, id: string): RevisionRecord | undefined {
    const revision = this.find<RevisionRecord>('revisions', id);
    return revision && revision.tenant === tenant && revision.configId === configId ? revision : undefined;
  }

  listRevisions(tenant: string, configId: string): RevisionRecord[] {
    return this.listGroup<RevisionRecord>('revisions', configId).filter((r) => r.tenant === tenant);
  }

  /** The config's revision stored last: the highest version, since `:publish` numbers each one after it. */
  latestRevision(tenant: string, configId: string): RevisionRecord | undefined {
    const key = this.indexOf('revisions').last(configId);
    const revision = key === undefined ? undefined : this.find<RevisionRecord>('revisions', key);
    return revision && revision.tenant === tenant ? revision : undefined;
  }

  putRevision(revision: RevisionRecord): void {
    this.write('revisions', revision.id, revision);
  }

  // OAuth credential keys

  findOAuthKey(key: string): OAuthKeyRecord | undefined {
    return this.find<OAuthKeyRecord>('oauthKeys', key);
  }

  putOAuthKey(record: OAuthKeyRecord): void {
    this.write('oauthKeys', record.key, record);
  }

  // Participants

  findParticipant(tenant: string, id: string): ParticipantRecord | undefined {
    const participant = this.find<ParticipantRecord>('participants', id);
    return participant && participant.tenant === tenant ? participant : undefined;
  }

  /** The tenant's participants in creation order. */
  listParticipants(tenant: string): ParticipantRecord[] {
    return this.listGroup<ParticipantRecord>('participants', tenant);
  }

  putParticipant(participant: ParticipantRecord): void {
    this.write('participants', participant.id, participant);
  }

  /** Removes the participant and every binding of it; the agents are untouched. */
  deleteParticipant(id: string): void {
    const participant = this.find<ParticipantRecord>('participants', id);
    this.write('participants', id, ABSENT);
    if (!participant) return;
    for (const key of [...this.indexOf('bindings').keys(`${participant.tenant}\u0000${id}`)]) this.write('bindings', key, ABSENT);
  }

  // Bindings

  findBinding(tenant: string, participantId: string, agentId: string): BindingRecord | undefined {
    return this.listBindings(tenant, { participantId }).find((b) => b.agentId === agentId);
  }

  /** The tenant's bindings in creation order, narrowed to one participant and/or one agent. */
  listBindings(tenant: string, filter: { participantId?: string; agentId?: string } = {}): BindingRecord[] {
    const candidates =
      filter.participantId === undefined
        ? Array.from(this.records<BindingRecord>('bindings'), ([, b]) => b).filter((b) => b.tenant === tenant)
        : this.listGroup<BindingRecord>('bindings', `${tenant}\u0000${filter.participantId}`);
    return filter.agentId === undefined ? candidates : candidates.filter((b) => b.agentId === filter.agentId);
  }

  putBinding(binding: BindingRecord): void {
    this.write('bindings', binding.id, binding);
  }

  deleteBinding(id: string): void {
    this.write('bindings', id, ABSENT);
  }

  // Whole-state operations

  /** Empties every collection and restarts the sequence: the state of a freshly started mock. */
  async reset(): Promise<void> {
    await this.mutate(() => this.replaceState(emptyData()));
  }

  /** Removes every record of one tenant, in every collection; other tenants and the sequence are kept. */
  async resetTenant(tenant: string): Promise<number> {
    return this.mutate(() => {
      let removed = 0;
      for (const name of COLLECTIONS) {
        const keys: string[] = [];
        for (const [key, record] of this.records<Tenanted>(name)) if (record.tenant === tenant) keys.push(key);
        for (const key of keys) this.write(name, key, ABSENT);
        removed += keys.length;
      }
      return removed;
    });
  }

  /** Replaces the whole state with `data`, or throws StateError (changing nothing) when it is not valid. */
  async replaceAll(data: unknown): Promise<void> {
    const reason = describeInvalid(data);
    if (reason) throw new StateError(reason);
    await this.mutate(() => this.replaceState(data as StoreData));
  }

  /** Only the records of one tenant, with the meta block, as `snapshot()` shapes them. */
  snapshotOf(tenant: string): StoreData {
    return this.copy((record) => record.tenant === tenant);
  }

  /** A deep copy of everything stored. */
  snapshot(): StoreData {
    return this.copy(() => true);
  }

  /** Counts of stored records, by collection. */
  counts(): Record<CollectionName, number> {
    return Object.fromEntries(COLLECTIONS.map((name) => [name, this.state.tables[name].size])) as Record<CollectionName, number>;
  }

  /**
   * Replaces the whole state (reset, import) with a copy of `next`; journaled as one full-state entry. Call
   * inside `mutate`.
   */
  private replaceState(next: StoreData): void {
    const tx = this.requireTransaction('replaceState');
    tx.replaced ??= { state: this.state, before: tx.before };
    tx.before = new Map();
    this.state = stateOf(next);
    this.rebuildIndexes();
  }

  /** The meta block and the records `keep` accepts, as objects; a `__proto__` key stays a plain key. */
  private copy(keep: (record: Tenanted) => boolean): StoreData {
    const data: Record<string, unknown> = { meta: structuredClone(this.state.meta) };
    for (const name of COLLECTIONS) {
      const records: Record<string, unknown> = {};
      for (const [key, record] of this.records<Tenanted>(name)) if (keep(record)) define(records, key, record);
      data[name] = records;
    }
    return data as StoreData;
  }

  // The read and write paths

  private find<R>(collection: CollectionName, key: string): R | undefined {
    const text = this.state.tables[collection].get(key);
    return text === undefined ? undefined : (JSON.parse(text) as R);
  }

  private listGroup<R>(collection: CollectionName, group: string): R[] {
    const table = this.state.tables[collection];
    return Array.from(this.indexOf(collection).keys(group), (key) => JSON.parse(table.get(key)!) as R);
  }

  /** Every record of a collection, parsed, in the order stored: O(collection), for scans. */
  private *records<R>(collection: CollectionName): Generator<[key: string, record: R]> {
    for (const [key, text] of this.state.tables[collection]) yield [key, JSON.parse(text) as R];
  }

  private indexOf(collection: CollectionName): Index {
    return this.indexes[collection]!;
  }

  /** Stores `value` under `key` (ABSENT removes it), remembering the old text for undo and the journal. */
  private write(collection: CollectionName, key: string, value: object | typeof ABSENT): void {
    const tx = this.requireTransaction(`a write to ${collection}`);
    const current = this.state.tables[collection].get(key);
    let touched = tx.before.get(collection);
    if (!touched) tx.before.set(collection, (touched = new Map()));
    if (!touched.has(key)) touched.set(key, current ?? ABSENT);
    this.place(collection, key, current, value === ABSENT ? ABSENT : JSON.stringify(value), value);
  }

  /**
   * Sets one record's text and moves it in its collection's index. The index groups records by their fields,
   * so the old text is parsed, and the new one too unless the caller has its object at hand.
   */
  private place(collection: CollectionName, key: string, current: string | undefined, next: string | typeof ABSENT, record?: unknown): void {
    const table = this.state.tables[collection];
    if (next === ABSENT) table.delete(key);
    else table.set(key, next);
    const index = this.indexes[collection];
    if (!index) return;
    const before = current === undefined ? ABSENT : (JSON.parse(current) as unknown);
    index.move(key, before, next === ABSENT ? ABSENT : (record ?? JSON.parse(next)));
  }

  private rollback(tx: Transaction): void {
    if (tx.replaced) {
      this.state = tx.replaced.state;
      this.restore(tx.replaced.before);
      // The indexes followed the replacing state until now; rebuild them for the one put back.
      this.rebuildIndexes();
    } else {
      this.restore(tx.before);
    }
    Object.assign(this.state.meta, tx.meta);
  }

  /** Puts back the texts a transaction found. */
  private restore(before: Before): void {
    for (const [collection, keys] of before) {
      const table = this.state.tables[collection];
      for (const [key, text] of keys) this.place(collection, key, table.get(key), text);
    }
  }

  /** The journal line of a transaction, built from the stored texts; none when it changed nothing. */
  private journalLine(tx: Transaction): string | undefined {
    const meta = { ...this.state.meta };
    if (tx.replaced) return stateLine(meta, COLLECTIONS.map((name) => [name, this.state.tables[name]] as const));
    const ops: TextOp[] = [];
    for (const [collection, keys] of tx.before) {
      const table = this.state.tables[collection];
      for (const key of keys.keys()) ops.push([collection, key, table.get(key) ?? null]);
    }
    if (ops.length === 0 && meta.sequence === tx.meta.sequence) return undefined;
    return opsLine(meta, ops);
  }

  private requireTransaction(what: string): Transaction {
    if (!this.tx) throw new Error(`${what} must happen inside store.mutate()`);
    return this.tx;
  }

  private rebuildIndexes(): void {
    for (const name of COLLECTIONS) this.indexes[name]?.rebuild(this.records(name));
  }
}

/** What every record has, read without knowing its collection. */
type Tenanted = { tenant?: unknown };

/** The state of `data`, each record serialized: a copy that shares nothing with `data`. */
function stateOf(data: StoreData): State {
  return {
    meta: structuredClone(data.meta),
    tables: tablesOf((name) => Array.from(Object.entries(data[name]), ([key, record]) => [key, JSON.stringify(record)] as const)),
  };
}

function tablesOf(entries: (name: CollectionName) => Iterable<readonly [string, string]>): Tables {
  return Object.fromEntries(COLLECTIONS.map((name) => [name, new Map(entries(name))])) as Tables;
}

/**
 * Reads a store file and replays its journals into the state they hold. Throws StoreFileError, having
 * written nothing, when the file or a journal entry cannot be used.
 */
function loadState(file: string): { state: State; replayed: boolean } {
  const check = new RecordCheck();
  const stored = readStoredState(file, check.hook);
  const data = stored.data ?? emptyData();
  addLaterCollections(data);
  const problem = describeInvalidShape(data) ?? check.problem();
  if (problem) throw new StoreFileError(file, problem);
  const texts = data as TextData;
  let state: State = { meta: texts.meta, tables: tablesOf((name) => Object.entries(texts[name])) };
  for (const [index, entry] of stored.entries.entries()) {
    const entryProblem = describeInvalidEntry(entry);
    if (entryProblem) throw new StoreFileError(file, `journal entry ${index + 1}: ${entryProblem}`);
    state = applyEntry(state, entry);
  }
  return { state, replayed: stored.entries.length > 0 };
}

/**
 * Checks each record of a store file as it is read and keeps its compact text in its place, so the objects
 * of one record at a time are live during a start. The first problem of each collection is kept, and they
 * are reported in COLLECTIONS order, as describeInvalid reports them.
 */
class RecordCheck {
  private readonly problems = new Map<CollectionName, string>();

  readonly hook = (collection: string, key: string, value: unknown): unknown => {
    if (!isCollectionName(collection)) return value; // meta, or a name describeInvalidShape refuses
    if (!this.problems.has(collection)) {
      const problem = describeInvalidRecord(collection, key, value);
      if (problem) this.problems.set(collection, problem);
    }
    return JSON.stringify(value);
  };

  problem(): string | undefined {
    return COLLECTIONS.map((name) => this.problems.get(name)).find((problem) => problem !== undefined);
  }
}

/** Applies one journal entry to the state; applying it to state that already holds it changes nothing. */
function applyEntry(state: State, entry: JournalEntry): State {
  const next = entry.state ? stateOf(entry.state) : state;
  for (const [collection, key, record] of entry.ops ?? []) {
    const table = next.tables[collection as CollectionName];
    if (record === null) table.delete(key);
    else table.set(key, JSON.stringify(record));
  }
  next.meta = { ...next.meta, ...entry.meta };
  return next;
}

function describeInvalidEntry(entry: JournalEntry): string | undefined {
  if (entry.state !== undefined) return describeInvalid(entry.state);
  if (!Array.isArray(entry.ops)) return 'it has neither ops nor state';
  for (const op of entry.ops) {
    if (!Array.isArray(op) || !isCollectionName(op[0]) || typeof op[1] !== 'string') {
      return `'${JSON.stringify(op).slice(0, 80)}' is not an operation on a known collection`;
    }
  }
  return undefined;
}

/** Thrown by `replaceAll` for a state that does not validate. */
export class StateError extends Error {}

function isCollectionName(name: unknown): name is CollectionName {
  return (COLLECTIONS as readonly unknown[]).includes(name);
}

function addLaterCollections(data: unknown): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  const record = data as Record<string, unknown>;
  for (const name of LATER_COLLECTIONS) record[name] ??= {};
}

/** Returns why `data` is not a store this version can use, or undefined when it is. */
export function describeInvalid(data: unknown): string | undefined {
  const problem = describeInvalidShape(data);
  if (problem) return problem;
  const collections = data as Record<CollectionName, Record<string, unknown>>;
  for (const name of COLLECTIONS) {
    for (const [key, item] of Object.entries(collections[name])) {
      const recordProblem = describeInvalidRecord(name, key, item);
      if (recordProblem) return recordProblem;
    }
  }
  return undefined;
}

/** Why `data` is not a store this version can use, its records left aside; undefined when it is. */
function describeInvalidShape(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'the top level is not an object';
  const record = data as Record<string, unknown>;
  const meta = record.meta as Record<string, unknown> | undefined;
  if (!meta || meta.schemaVersion !== 1 || typeof meta.sequence !== 'number') {
    return 'meta.schemaVersion must be 1 and meta.sequence a number';
  }
  const unknown = Object.keys(record).find((name) => name !== 'meta' && !isCollectionName(name));
  if (unknown) return `'${unknown}' is not a collection of this store (it has: ${COLLECTIONS.join(', ')})`;
  for (const name of COLLECTIONS) {
    const collection = record[name];
    if (typeof collection !== 'object' || collection === null || Array.isArray(collection)) {
      return `${name} must be an object keyed by id`;
    }
  }
  return undefined;
}

/** Why one record cannot be stored under `id` in collection `name`; undefined when it can. */
function describeInvalidRecord(name: CollectionName, id: string, item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${name}.${id} must be an object`;
  const fields = item as Record<string, unknown>;
  if (typeof fields.tenant !== 'string' || fields.tenant === '') return `${name}.${id}.tenant must be a non-empty string`;
  const key = fields.id ?? fields.key;
  if (key !== id) return `${name}.${id} is keyed by '${id}' but its id is '${String(key)}'`;
  return undefined;
}
