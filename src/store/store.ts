import { ABSENT, Index, type Slot } from './indexes.js';
import type { JournalEntry, JournalOp } from './journal.js';
import {
  FilePersistence,
  MEMORY_PERSISTENCE,
  StoreFileError,
  readStoredState,
  type FileOptions,
  type Persistence,
} from './persistence.js';
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
type Records = Record<string, unknown>;

/**
 * Secondary indexes, so lists cost O(their length). A collection without one is scanned. An index is found
 * by its name, which is its collection's unless the collection has more than one.
 */
function createIndexes(): Index[] {
  return [
    new Index('configs', (c: ConfigRecord) => `${c.tenant}\u0000${c.integrationId}`),
    new Index('revisions', (r: RevisionRecord) => r.configId),
    new Index('participants', (p: ParticipantRecord) => p.tenant),
    new Index('bindings', (b: BindingRecord) => `${b.tenant}\u0000${b.participantId}`),
    new Index('bindings', (b: BindingRecord) => `${b.tenant}\u0000${b.agentId}`, 'bindingsByAgent'),
  ];
}

/** What one `mutate` changed, kept so a change that throws can be undone and one that returns journaled. */
type Transaction = {
  meta: StoreData['meta'];
  /** The value of each touched record before the transaction, by collection and key. */
  before: Map<string, Map<string, Slot>>;
  /** The state before `replaceState`, with the changes made to it before that call. */
  replaced?: { data: StoreData; before: Map<string, Map<string, Slot>> };
};

/**
 * The mock's state: plain objects in memory, one class in front of them. Routes never touch the state; they
 * read through the finders and change it only inside `mutate`, which runs its function synchronously (so no
 * other request can interleave), undoes it if it throws, and resolves once the change is durable.
 *
 * Every write goes through `write(collection, key, record | ABSENT)`, which records it for the journal and
 * keeps the indexes in step, so a new collection needs no persistence code of its own.
 */
export class Store {
  private raw: StoreData;
  private tx: Transaction | undefined;
  private readonly indexes = createIndexes();
  private readonly persistence: Persistence;

  private constructor(data: StoreData, persistence: (state: () => StoreData) => Persistence) {
    this.raw = data;
    this.rebuildIndexes();
    this.persistence = persistence(() => this.raw);
  }

  /**
   * A store persisted to a lowdb JSON file (created on first write) and a journal beside it. Journal entries
   * left by a crash are replayed and folded into the file before the store opens. Throws StoreFileError,
   * having changed no file, when the file or its journal cannot be used.
   */
  static async openFile(file: string, options: FileOptions = {}): Promise<Store> {
    const stored = readStoredState(file);
    const data = stored.data ?? emptyData();
    addLaterCollections(data);
    const problem = describeInvalid(data);
    if (problem) throw new StoreFileError(file, problem);
    let state = data as StoreData;
    for (const [index, entry] of stored.entries.entries()) {
      const entryProblem = describeInvalidEntry(entry);
      if (entryProblem) throw new StoreFileError(file, `journal entry ${index + 1}: ${entryProblem}`);
      state = applyEntry(state, entry);
    }
    let persistence: FilePersistence | undefined;
    const store = new Store(state, (current) => (persistence = new FilePersistence(file, current, options)));
    if (stored.entries.length > 0) await persistence!.foldReplayed();
    return store;
  }

  /** A store that lives in memory only (tests, `--in-memory`). */
  static async openMemory(initial?: StoreData): Promise<Store> {
    return new Store(initial ?? emptyData(), () => MEMORY_PERSISTENCE);
  }

  /**
   * Runs `change` synchronously, then resolves once what it changed is durable. A `change` that throws
   * changes nothing: every write it made is undone before the error propagates.
   */
  async mutate<T>(change: () => T): Promise<T> {
    if (this.tx) throw new Error('mutate cannot be nested');
    const tx: Transaction = { meta: { ...this.raw.meta }, before: new Map() };
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
    const entry = this.entryOf(tx);
    // A change that wrote nothing may still have read writes not yet durable: wait for those.
    await (entry ? this.persistence.commit(entry) : this.persistence.settle());
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
    this.raw.meta.sequence += 1;
    return this.raw.meta.sequence;
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
    if (filter.participantId !== undefined) {
      const bindings = this.listGroup<BindingRecord>('bindings', `${tenant}\u0000${filter.participantId}`);
      return filter.agentId === undefined ? bindings : bindings.filter((b) => b.agentId === filter.agentId);
    }
    if (filter.agentId !== undefined) return this.listGroup<BindingRecord>('bindingsByAgent', `${tenant}\u0000${filter.agentId}`);
    return Object.values(this.raw.bindings).filter((b) => b.tenant === tenant);
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
        for (const [key, record] of Object.entries(this.raw[name] as Records)) {
          if ((record as { tenant?: unknown }).tenant === tenant) {
            this.write(name, key, ABSENT);
            removed += 1;
          }
        }
      }
      return removed;
    });
  }

  /** Replaces the whole state with `data`, or throws StateError (changing nothing) when it is not valid. */
  async replaceAll(data: unknown): Promise<void> {
    const reason = describeInvalid(data);
    if (reason) throw new StateError(reason);
    const next = structuredClone(data) as StoreData;
    await this.mutate(() => this.replaceState(next));
  }

  /** Only the records of one tenant, with the meta block, as `snapshot()` shapes them. */
  snapshotOf(tenant: string): StoreData {
    const copy = this.snapshot();
    for (const name of COLLECTIONS) {
      const records = copy[name] as Records;
      for (const [key, record] of Object.entries(records)) {
        if ((record as { tenant?: unknown }).tenant !== tenant) delete records[key];
      }
    }
    return copy;
  }

  /** A deep copy of everything stored. */
  snapshot(): StoreData {
    return structuredClone(this.raw);
  }

  /** Counts of stored records, by collection. */
  counts(): Record<CollectionName, number> {
    return Object.fromEntries(
      COLLECTIONS.map((name) => [name, Object.keys(this.raw[name]).length]),
    ) as Record<CollectionName, number>;
  }

  /** Replaces the whole state (reset, import); journaled as one full-state entry. Call inside `mutate`. */
  private replaceState(next: StoreData): void {
    const tx = this.requireTransaction('replaceState');
    tx.replaced ??= { data: this.raw, before: tx.before };
    tx.before = new Map();
    this.raw = next;
    this.rebuildIndexes();
  }

  // The write path

  private find<R>(collection: CollectionName, key: string): R | undefined {
    const records = this.raw[collection] as Records;
    return Object.hasOwn(records, key) ? (records[key] as R) : undefined;
  }

  /** The records of one group of the index `name` (a collection's name, or the index's own). */
  private listGroup<R>(name: string, group: string): R[] {
    const index = this.indexOf(name);
    const records = this.raw[index.collection as CollectionName] as Records;
    return Array.from(index.keys(group), (key) => records[key] as R);
  }

  private indexOf(name: string): Index {
    return this.indexes.find((index) => index.name === name)!;
  }

  /** Stores `value` under `key` (ABSENT removes it), remembering the old value for undo and the journal. */
  private write(collection: string, key: string, value: Slot): void {
    const tx = this.requireTransaction(`a write to ${collection}`);
    const records = (this.raw as unknown as Record<string, Records>)[collection]!;
    const before = Object.hasOwn(records, key) ? records[key] : ABSENT;
    let touched = tx.before.get(collection);
    if (!touched) tx.before.set(collection, (touched = new Map()));
    if (!touched.has(key)) touched.set(key, before);
    this.place(collection, key, before, value);
  }

  private place(collection: string, key: string, before: Slot, value: Slot): void {
    const records = (this.raw as unknown as Record<string, Records>)[collection]!;
    if (value === ABSENT) delete records[key];
    else records[key] = value;
    for (const index of this.indexes) if (index.collection === collection) index.move(key, before, value);
  }

  private rollback(tx: Transaction): void {
    const undo = (before: Map<string, Map<string, Slot>>) => {
      for (const [collection, keys] of before) {
        const records = (this.raw as unknown as Record<string, Records>)[collection]!;
        for (const [key, value] of keys) this.place(collection, key, Object.hasOwn(records, key) ? records[key] : ABSENT, value);
      }
    };
    if (tx.replaced) {
      this.raw = tx.replaced.data;
      undo(tx.replaced.before);
        this.rebuildIndexes();
    } else {
      undo(tx.before);
    }
    Object.assign(this.raw.meta, tx.meta);
  }

  private entryOf(tx: Transaction): JournalEntry | undefined {
    const meta = { ...this.raw.meta };
    if (tx.replaced) return { meta, state: this.raw };
    const ops: JournalOp[] = [];
    for (const [collection, keys] of tx.before) {
      const records = (this.raw as unknown as Record<string, Records>)[collection]!;
      for (const key of keys.keys()) ops.push([collection, key, Object.hasOwn(records, key) ? records[key] : null]);
    }
    if (ops.length === 0 && meta.sequence === tx.meta.sequence) return undefined;
    return { meta, ops };
  }

  private requireTransaction(what: string): Transaction {
    if (!this.tx) throw new Error(`${what} must happen inside store.mutate()`);
    return this.tx;
  }

  private rebuildIndexes(): void {
    for (const index of this.indexes) index.rebuild((this.raw as unknown as Record<string, Records>)[index.collection]!);
  }
}

/** Applies one journal entry to plain state; applying it to state that already holds it changes nothing. */
function applyEntry(data: StoreData, entry: JournalEntry): StoreData {
  const state = entry.state ?? data;
  for (const [collection, key, record] of entry.ops ?? []) {
    const records = (state as unknown as Record<string, Records>)[collection]!;
    if (record === null) delete records[key];
    else records[key] = record;
  }
  state.meta = { ...state.meta, ...entry.meta };
  return state;
}

function describeInvalidEntry(entry: JournalEntry): string | undefined {
  if (entry.state !== undefined) return describeInvalid(entry.state);
  if (!Array.isArray(entry.ops)) return 'it has neither ops nor state';
  for (const op of entry.ops) {
    if (!Array.isArray(op) || !(COLLECTIONS as readonly unknown[]).includes(op[0]) || typeof op[1] !== 'string') {
      return `'${JSON.stringify(op).slice(0, 80)}' is not an operation on a known collection`;
    }
  }
  return undefined;
}

/** Thrown by `replaceAll` for a state that does not validate. */
export class StateError extends Error {}

function addLaterCollections(data: unknown): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  const record = data as Record<string, unknown>;
  for (const name of LATER_COLLECTIONS) record[name] ??= {};
}

/** Returns why `data` is not a store this version can use, or undefined when it is. */
export function describeInvalid(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'the top level is not an object';
  const record = data as Record<string, unknown>;
  const meta = record.meta as Record<string, unknown> | undefined;
  if (!meta || meta.schemaVersion !== 1 || typeof meta.sequence !== 'number') {
    return 'meta.schemaVersion must be 1 and meta.sequence a number';
  }
  const unknown = Object.keys(record).find((name) => name !== 'meta' && !(COLLECTIONS as readonly string[]).includes(name));
  if (unknown) return `'${unknown}' is not a collection of this store (it has: ${COLLECTIONS.join(', ')})`;
  for (const name of COLLECTIONS) {
    const collection = record[name];
    if (typeof collection !== 'object' || collection === null || Array.isArray(collection)) {
      return `${name} must be an object keyed by id`;
    }
    for (const [id, item] of Object.entries(collection)) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${name}.${id} must be an object`;
      const fields = item as Record<string, unknown>;
      if (typeof fields.tenant !== 'string' || fields.tenant === '') return `${name}.${id}.tenant must be a non-empty string`;
      const key = fields.id ?? fields.key;
      if (key !== id) return `${name}.${id} is keyed by '${id}' but its id is '${String(key)}'`;
    }
  }
  return undefined;
}
