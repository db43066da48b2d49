import { ABSENT, Index } from './indexes.js';
import type { JournalEntry } from './journal.js';
import {
  FilePersistence,
  MEMORY_PERSISTENCE,
  StoreFileError,
  readStoredState,
  type FileOptions,
  type Persistence,
} from './persistence.js';
import { define } from './read-records.js';
import { RecordTable } from './record-table.js';
import {
  emptyData,
  type BindingRecord,
  type ConfigRecord,
  type CustomIntegrationRecord,
  type OAuthKeyRecord,
  type ParticipantRecord,
  type RevisionRecord,
  type StoreData,
  type WebhookKeyRecord,
} from './types.js';

export { StoreFileError } from './persistence.js';
export type { FileOptions } from './persistence.js';

/** Every record collection of the state. Journaling, indexes, counts and validation all follow this list. */
const COLLECTIONS = ['configs', 'revisions', 'oauthKeys', 'participants', 'bindings', 'integrations', 'webhookKeys'] as const;

/** Collections added after schema version 1 first shipped; a file written before them opens with them empty. */
const LATER_COLLECTIONS = ['participants', 'bindings', 'integrations', 'webhookKeys'] as const;

type CollectionName = (typeof COLLECTIONS)[number];
type Records = Record<string, unknown>;
type Meta = StoreData['meta'];

/** Each collection's records, held as compact JSON outside the heap (see RecordTable). */
type Tables = Record<CollectionName, RecordTable>;

/** A whole state as the store holds it. */
type Loaded = { meta: Meta; tables: Tables };

/** A record's compact JSON before a transaction first touched it, or ABSENT, by collection and key. */
type Before = Map<CollectionName, Map<string, string | typeof ABSENT>>;

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
    new Index('integrations', (i: CustomIntegrationRecord) => i.tenant),
  ];
}

/** What one `mutate` changed, kept so a change that throws can be undone and one that returns journaled. */
type Transaction = {
  meta: Meta;
  before: Before;
  /** The tables before `replaceState`, with the changes made to them before that call. */
  replaced?: { tables: Tables; before: Before };
};

/**
 * The mock's state, one class in front of it. Records go in as objects and come out parsed from the compact
 * JSON each one is kept as, deeply frozen (see RecordTable), so no caller can edit what is stored in place.
 * Routes never touch the state; they read through the finders and change it only inside `mutate`, which
 * runs its function synchronously (so no other request can interleave), undoes it if it throws, and resolves
 * once the change is durable.
 *
 * Every write goes through `write(collection, key, record | ABSENT)`, which serializes the record once, keeps
 * its text for the journal and the indexes in step, so a new collection needs no persistence code of its own.
 */
export class Store {
  private meta: Meta;
  private tables: Tables;
  private tx: Transaction | undefined;
  private readonly persistence: Persistence;

  private constructor(
    loaded: Loaded,
    /** Already built over `loaded.tables`. */
    private readonly indexes: Index[],
    persistence: (content: () => Records) => Persistence,
  ) {
    this.meta = loaded.meta;
    this.tables = loaded.tables;
    // Read when a store file rewrite starts: the meta block and each collection, as they are then.
    this.persistence = persistence(() => ({ meta: this.meta, ...this.tables }));
  }

  /**
   * A store persisted to a lowdb JSON file (created on first write) and a journal beside it. Journal entries
   * left by a crash are replayed and folded into the file before the store opens. Throws StoreFileError,
   * having changed no file, when the file or its journal cannot be used.
   */
  static async openFile(file: string, options: FileOptions = {}): Promise<Store> {
    const { loaded, indexes, replayed } = loadFile(file);
    let persistence: FilePersistence | undefined;
    const store = new Store(loaded, indexes, (content) => (persistence = new FilePersistence(file, content, options)));
    if (replayed) await persistence!.foldReplayed();
    return store;
  }

  /** A store that lives in memory only (tests, `--in-memory`). It keeps a copy of `initial`. */
  static async openMemory(initial?: StoreData): Promise<Store> {
    const loaded = loadedOf(initial ?? emptyData());
    return new Store(loaded, indexesOver(loaded.tables), () => MEMORY_PERSISTENCE);
  }

  /**
   * Runs `change` synchronously, then resolves once what it changed is durable. A `change` that throws
   * changes nothing: every write it made is undone before the error propagates.
   */
  async mutate<T>(change: () => T): Promise<T> {
    if (this.tx) throw new Error('mutate cannot be nested');
    const tx: Transaction = { meta: { ...this.meta }, before: new Map() };
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
    this.meta.sequence += 1;
    return this.meta.sequence;
  }

  // Configs

  findConfig(tenant: string, integrationId: string, id: string): ConfigRecord | undefined {
    const config = this.find<ConfigRecord>('configs', guidKey(id));
    return config && config.tenant === tenant && config.integrationId === integrationId ? config : undefined;
  }

  listConfigs(tenant: string, integrationId: string): ConfigRecord[] {
    return this.listGroup<ConfigRecord>('configs', `${tenant}\u0000${integrationId}`);
  }

  /** A config of the tenant by id alone, whatever its integration (channels carry only the config id). */
  findTenantConfig(tenant: string, id: string): ConfigRecord | undefined {
    const config = this.find<ConfigRecord>('configs', guidKey(id));
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
    const revision = this.find<RevisionRecord>('revisions', guidKey(id));
    return revision && revision.tenant === tenant && revision.configId === guidKey(configId) ? revision : undefined;
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
    const participant = this.find<ParticipantRecord>('participants', guidKey(id));
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
    return Array.from(this.tables.bindings.entries<BindingRecord>(), ([, b]) => b).filter((b) => b.tenant === tenant);
  }

  putBinding(binding: BindingRecord): void {
    this.write('bindings', binding.id, binding);
  }

  deleteBinding(id: string): void {
    this.write('bindings', id, ABSENT);
  }

  // Custom integrations (the tenant's own; the fixture catalog is not stored)

  findCustomIntegration(tenant: string, integrationId: string): CustomIntegrationRecord | undefined {
    return this.find<CustomIntegrationRecord>('integrations', `${tenant}/${integrationId}`);
  }

  /** The tenant's custom integrations in creation order. */
  listCustomIntegrations(tenant: string): CustomIntegrationRecord[] {
    return this.listGroup<CustomIntegrationRecord>('integrations', tenant);
  }

  /** Every tenant's custom integrations (for redaction, which spans tenants). */
  allCustomIntegrations(): CustomIntegrationRecord[] {
    return Array.from(this.tables.integrations.entries<CustomIntegrationRecord>(), ([, i]) => i);
  }

  putCustomIntegration(integration: CustomIntegrationRecord): void {
    this.write('integrations', integration.id, integration);
  }

  deleteCustomIntegration(id: string): void {
    this.write('integrations', id, ABSENT);
  }

  // Webhook keys, found by the digest of the key

  findWebhookKey(id: string): WebhookKeyRecord | undefined {
    return this.find<WebhookKeyRecord>('webhookKeys', id);
  }

  putWebhookKey(record: WebhookKeyRecord): void {
    this.write('webhookKeys', record.id, record);
  }

  deleteWebhookKey(id: string): void {
    this.write('webhookKeys', id, ABSENT);
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
        for (const [key, record] of [...this.tables[name].entries<{ tenant?: unknown }>()]) {
          if (record.tenant === tenant) {
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
    const next = data as StoreData;
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
    const copy = { meta: { ...this.meta } } as StoreData;
    for (const name of COLLECTIONS) {
      const records: Records = {};
      for (const [key, record] of this.tables[name].entries()) define(records, key, record);
      (copy as unknown as Record<string, Records>)[name] = records;
    }
    return copy;
  }

  /** Counts of stored records, by collection. */
  counts(): Record<CollectionName, number> {
    return Object.fromEntries(COLLECTIONS.map((name) => [name, this.tables[name].size])) as Record<CollectionName, number>;
  }

  /** Replaces the whole state (reset, import); journaled as one full-state entry. Call inside `mutate`. */
  private replaceState(data: StoreData): void {
    const tx = this.requireTransaction('replaceState');
    const next = loadedOf(data);
    tx.replaced ??= { tables: this.tables, before: tx.before };
    tx.before = new Map();
    this.tables = next.tables;
    Object.assign(this.meta, next.meta);
    this.rebuildIndexes();
  }

  // The write path

  private find<R>(collection: CollectionName, key: string): R | undefined {
    return this.tables[collection].get<R>(key);
  }

  /** The records of one group of the index `name` (a collection's name, or the index's own). */
  private listGroup<R>(name: string, group: string): R[] {
    const index = this.indexOf(name);
    const table = this.tables[index.collection as CollectionName];
    return Array.from(index.keys(group), (key) => table.get<R>(key)!);
  }

  private indexOf(name: string): Index {
    return this.indexes.find((index) => index.name === name)!;
  }

  /** Stores `value` under `key` (ABSENT removes it), remembering the old text for undo and the journal. */
  private write(collection: CollectionName, key: string, value: object | typeof ABSENT): void {
    const tx = this.requireTransaction(`a write to ${collection}`);
    const before = this.tables[collection].text(key) ?? ABSENT;
    let touched = tx.before.get(collection);
    if (!touched) tx.before.set(collection, (touched = new Map()));
    if (!touched.has(key)) touched.set(key, before);
    this.place(collection, key, before, value === ABSENT ? ABSENT : JSON.stringify(value), value);
  }

  /**
   * Sets one record's text and moves it in the indexes of its collection. The indexes group records by
   * their fields, so the old text is parsed, and the new one too unless the caller has its object at hand.
   */
  private place(collection: CollectionName, key: string, before: string | typeof ABSENT, after: string | typeof ABSENT, record?: object | typeof ABSENT): void {
    const table = this.tables[collection];
    if (after === ABSENT) table.delete(key);
    else table.set(key, after);
    let old: unknown;
    let current: unknown;
    for (const index of this.indexes) {
      if (index.collection !== collection) continue;
      old ??= before === ABSENT ? ABSENT : JSON.parse(before);
      current ??= record ?? (after === ABSENT ? ABSENT : JSON.parse(after));
      index.move(key, old, current);
    }
  }

  /** Puts back the texts a transaction found. */
  private rollback(tx: Transaction): void {
    const undo = (before: Before) => {
      for (const [collection, keys] of before) {
        for (const [key, text] of keys) this.place(collection, key, this.tables[collection].text(key) ?? ABSENT, text);
      }
    };
    if (tx.replaced) {
      this.tables = tx.replaced.tables;
      undo(tx.replaced.before);
      this.rebuildIndexes();
    } else {
      undo(tx.before);
    }
    Object.assign(this.meta, tx.meta);
  }

  /** The journal line of a transaction, built around the stored texts; none when it changed nothing. */
  private journalLine(tx: Transaction): string | undefined {
    const meta = JSON.stringify(this.meta);
    if (tx.replaced) return `{"meta":${meta},"state":${stateText(meta, this.tables)}}\n`;
    const ops: string[] = [];
    for (const [collection, keys] of tx.before) {
      const table = this.tables[collection];
      for (const key of keys.keys()) ops.push(`[${JSON.stringify(collection)},${JSON.stringify(key)},${table.text(key) ?? 'null'}]`);
    }
    if (ops.length === 0 && this.meta.sequence === tx.meta.sequence) return undefined;
    return `{"meta":${meta},"ops":[${ops.join(',')}]}\n`;
  }

  private requireTransaction(what: string): Transaction {
    if (!this.tx) throw new Error(`${what} must happen inside store.mutate()`);
    return this.tx;
  }

  private rebuildIndexes(): void {
    rebuild(this.indexes, this.tables);
  }
}

/** The whole state as JSON, each record's stored text set in place. */
function stateText(meta: string, tables: Tables): string {
  let text = `{"meta":${meta}`;
  for (const name of COLLECTIONS) {
    const table = tables[name];
    const members = Array.from(table.keys(), (key) => `${JSON.stringify(key)}:${table.text(key)!}`);
    text += `,${JSON.stringify(name)}:{${members.join(',')}}`;
  }
  return `${text}}`;
}

function emptyTables(): Tables {
  return Object.fromEntries(COLLECTIONS.map((name) => [name, new RecordTable()])) as Tables;
}

/** Tables holding a copy of valid plain state. */
function loadedOf(data: StoreData): Loaded {
  const tables = emptyTables();
  for (const name of COLLECTIONS) {
    for (const [key, record] of Object.entries(data[name] as Records)) tables[name].set(key, JSON.stringify(record));
  }
  return { meta: { ...data.meta }, tables };
}

function indexesOver(tables: Tables): Index[] {
  const indexes = createIndexes();
  rebuild(indexes, tables);
  return indexes;
}

function rebuild(indexes: Index[], tables: Tables): void {
  for (const index of indexes) index.rebuild(tables[index.collection as CollectionName].entries());
}

/**
 * Reads a store file and replays its journals into the state they hold, building the indexes as records
 * arrive. Throws StoreFileError, having written nothing, when the file or a journal entry cannot be used.
 */
function loadFile(file: string): { loaded: Loaded; indexes: Index[]; replayed: boolean } {
  const tables = emptyTables();
  const indexes = createIndexes();
  const take = (collection: CollectionName, key: string, record: unknown) => {
    tables[collection].set(key, JSON.stringify(record));
    for (const index of indexes) if (index.collection === collection) index.move(key, ABSENT, record);
  };
  let problem: string | undefined;
  // Each record of a known collection goes straight into its table, so the file's records never exist as
  // objects all at once.
  const stored = readStoredState(file, (collection, key, record) => {
    if (!isCollection(collection)) return false;
    problem ??= describeInvalidRecord(collection, key, record);
    if (problem === undefined) take(collection, key, record);
    return true;
  });
  const data = stored.data ?? emptyData();
  addLaterCollections(data);
  problem ??= describeInvalid(data);
  if (problem) throw new StoreFileError(file, problem);
  // Records the by-record reader could not take (lowdb's reader read the file) are still in `data`.
  const state = data as StoreData;
  for (const name of COLLECTIONS) {
    for (const [key, record] of Object.entries(state[name] as Records)) take(name, key, record);
  }
  let loaded = { meta: { ...state.meta }, tables };
  for (const [position, entry] of stored.entries.entries()) {
    const entryProblem = describeInvalidEntry(entry);
    if (entryProblem) throw new StoreFileError(file, `journal entry ${position + 1}: ${entryProblem}`);
    loaded = applyEntry(loaded, entry);
  }
  const replayed = stored.entries.length > 0;
  if (replayed) rebuild(indexes, loaded.tables);
  return { loaded, indexes, replayed };
}

function isCollection(name: string): name is CollectionName {
  return (COLLECTIONS as readonly string[]).includes(name);
}

/** Applies one journal entry; applying it to state that already holds it changes nothing. */
function applyEntry(loaded: Loaded, entry: JournalEntry): Loaded {
  const next = entry.state ? loadedOf(entry.state) : loaded;
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
      const problem = describeInvalidRecord(name, id, item);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Returns why `item`, stored as `name.id`, is not a record this version can use. */
function describeInvalidRecord(name: string, id: string, item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${name}.${id} must be an object`;
  const fields = item as Record<string, unknown>;
  if (typeof fields.tenant !== 'string' || fields.tenant === '') return `${name}.${id}.tenant must be a non-empty string`;
  const key = fields.id ?? fields.key;
  if (key !== id) return `${name}.${id} is keyed by '${id}' but its id is '${String(key)}'`;
  return undefined;
}

/**
 * Rule ids-case-insensitive: configs, revisions and participants are GUIDs, which .NET compares
 * case-insensitively; they are stored lower-case, so a lookup lower-cases the id it is given.
 */
export function guidKey(id: string): string {
  return id.toLowerCase();
}
