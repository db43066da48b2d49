import { Low, Memory } from 'lowdb';
import { StoreFile, describeInvalidState, type FileOptions, type StoreHealth } from './file.js';
import { ABSENT, Index } from './indexes.js';
import { COLLECTIONS, describeStaleSequence, type CollectionName } from './schema.js';
import {
  emptyData,
  type AccessRequestRecord,
  type AgentRecord,
  type BindingRecord,
  type ConfigRecord,
  type CustomIntegrationRecord,
  type OAuthKeyRecord,
  type ParticipantRecord,
  type ProviderAnswerRecord,
  type RevisionRecord,
  type SlotBindingRecord,
  type StoreData,
  type WebhookKeyRecord,
} from './types.js';

export { StoreFileError, StoreWriteError, describeInvalidState } from './file.js';
export type { FileOptions, StoreHealth } from './file.js';
export { StoreLockedError } from './lock.js';

type Meta = StoreData['meta'];
type Stored = object;

/** Each collection's records by key, deeply frozen, in the order they were first stored. */
type Tables = Record<CollectionName, Map<string, Stored>>;

/** What records held before a transaction first touched them (ABSENT: none), by collection and key. */
type Before = Map<CollectionName, Map<string, Stored | typeof ABSENT>>;

/**
 * What one `mutate` changed: enough to undo it if it throws, or if its journal line cannot be written, and
 * to build that line. `index` is the line's place in the journal once appended.
 */
type Transaction = {
  meta: Meta;
  before: Before;
  /** The compact JSON each touched record was written as (null: removed). */
  texts: Map<CollectionName, Map<string, string | null>>;
  /** The tables before `replaceState`, with the changes made to them before that call. */
  replaced?: { tables: Tables; before: Before };
  index?: number;
};

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
    new Index('accessRequests', (r: AccessRequestRecord) => r.tenant),
    new Index('agents', (a: AgentRecord) => a.tenant),
    new Index('slotBindings', (b: SlotBindingRecord) => `${b.tenant}\u0000${b.agentId}`),
    new Index('slotBindings', (b: SlotBindingRecord) => `${b.tenant}\u0000${b.participantId}`, 'slotBindingsByParticipant'),
  ];
}

/**
 * The mock's state, one class in front of it. Records are kept deeply frozen, so no caller can edit what is
 * stored in place. Routes never touch the state; they read through the finders and change it only inside
 * `mutate`, which runs its function synchronously (so no other request can interleave), undoes it if it
 * throws, and resolves once the change is durable. A change whose journal line cannot be written is undone
 * too, with every change made after it, and `mutate` rejects with StoreWriteError.
 *
 * On a file (`openFile`) the state is persisted through lowdb (see StoreFile); in memory (`openMemory`) it
 * is written to lowdb's Memory adapter on `flush`.
 */
export class Store {
  private meta: Meta;
  private tables: Tables;
  private tx: Transaction | undefined;
  /** Transactions whose journal line may not be on disk yet, oldest first. */
  private inFlight: Transaction[] = [];
  private readonly indexes = createIndexes();
  private file: StoreFile | undefined;

  /** `data` becomes the store's: its records are frozen in place, not copied. */
  private constructor(
    data: StoreData,
    private readonly memory?: Low<StoreData>,
  ) {
    this.meta = { ...data.meta };
    this.tables = tablesOf(data, true);
    this.rebuildIndexes();
  }

  /**
   * A store persisted to a lowdb JSON file (created on first fold) and a journal beside it, this process
   * its only writer. Journal lines left by a crash are replayed and folded into the file before the store
   * opens. Throws StoreLockedError or StoreFileError, having changed no file, when it cannot be used.
   */
  static async openFile(file: string, options: FileOptions = {}): Promise<Store> {
    let store: Store | undefined;
    const opened = await StoreFile.open(file, options, (_error, lastDurable) => store?.undoSince(lastDurable));
    store = new Store(opened.data);
    store.file = opened.storeFile;
    return store;
  }

  /** A store that lives in memory only (tests, `--in-memory`). It keeps a copy of `initial`. */
  static async openMemory(initial?: StoreData): Promise<Store> {
    const db = new Low<StoreData>(new Memory<StoreData>(), emptyData());
    if (initial) {
      db.data = structuredClone(initial);
      await db.write();
    }
    await db.read();
    return new Store(db.data, db);
  }

  /**
   * Runs `change` synchronously, then resolves once what it changed is durable. A `change` that throws
   * changes nothing: every write it made is undone before the error propagates.
   */
  async mutate<T>(change: () => T): Promise<T> {
    if (this.tx) throw new Error('mutate cannot be nested');
    const tx: Transaction = { meta: { ...this.meta }, before: new Map(), texts: new Map() };
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
    const file = this.file;
    if (!file) return result;
    const line = this.journalLine(tx);
    // A change that wrote nothing may still have read writes not yet durable: wait for those.
    if (!line) {
      await file.settle();
      return result;
    }
    const written = file.append(line, () => this.durableState());
    tx.index = file.appendedIndex;
    this.inFlight.push(tx);
    await written;
    this.dropDurable();
    return result;
  }

  /**
   * Resolves once every change made so far is durable or undone, so a read made then shows only what is
   * on disk; undefined when nothing is waiting (the usual case, which then costs no promise).
   */
  settled(): Promise<void> | undefined {
    this.dropDurable();
    if (this.inFlight.length === 0 || !this.file) return undefined;
    return this.file.settle().catch(() => {});
  }

  /** `ok`, or `degraded` with the reason the last write or store file rewrite failed. */
  health(): StoreHealth {
    return this.file?.health ?? { status: 'ok' };
  }

  /** Resolves once everything acknowledged so far is written into the store file itself. */
  async flush(): Promise<void> {
    if (this.file) await this.file.flush(() => this.durableState());
    else if (this.memory) {
      this.memory.data = this.snapshot();
      await this.memory.write();
    }
  }

  /** Flushes and releases the files and the lock. The store must not be used afterwards. */
  async close(): Promise<void> {
    if (this.file) await this.file.close(() => this.durableState());
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
    // Rule participant-delete-drops-slot-bindings.
    for (const key of [...this.indexOf('slotBindingsByParticipant').keys(`${participant.tenant}\u0000${id}`)]) this.write('slotBindings', key, ABSENT);
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
    return ([...this.tables.bindings.values()] as BindingRecord[]).filter((b) => b.tenant === tenant);
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
    return [...this.tables.integrations.values()] as CustomIntegrationRecord[];
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

  // Participant access requests

  findAccessRequest(tenant: string, id: string): AccessRequestRecord | undefined {
    const request = this.find<AccessRequestRecord>('accessRequests', guidKey(id));
    return request && request.tenant === tenant ? request : undefined;
  }

  /** The tenant's access requests in creation order. */
  listAccessRequests(tenant: string): AccessRequestRecord[] {
    return this.listGroup<AccessRequestRecord>('accessRequests', tenant);
  }

  putAccessRequest(request: AccessRequestRecord): void {
    this.write('accessRequests', request.id, request);
  }

  // Scripted provider answers (the control plane's)

  findProviderAnswer(tenant: string, address: string): ProviderAnswerRecord | undefined {
    return this.find<ProviderAnswerRecord>('providerAnswers', providerAnswerKey(tenant, address));
  }

  listProviderAnswers(tenant?: string): ProviderAnswerRecord[] {
    const all = [...this.tables.providerAnswers.values()] as ProviderAnswerRecord[];
    return tenant === undefined ? all : all.filter((a) => a.tenant === tenant);
  }

  putProviderAnswer(answer: ProviderAnswerRecord): void {
    this.write('providerAnswers', answer.id, answer);
  }

  deleteProviderAnswer(id: string): void {
    this.write('providerAnswers', id, ABSENT);
  }

  // Agents (the tenant's own records; fixture agents are not stored until written)

  findAgent(tenant: string, agentId: string): AgentRecord | undefined {
    return this.find<AgentRecord>('agents', `${tenant}/${agentId}`);
  }

  /** The tenant's agent records in the order they were first stored. */
  listAgents(tenant: string): AgentRecord[] {
    return this.listGroup<AgentRecord>('agents', tenant);
  }

  putAgent(agent: AgentRecord): void {
    this.write('agents', agent.id, agent);
  }

  /** Removes every participant binding and slot binding of one agent of the tenant (its purge). */
  deleteAgentReferences(tenant: string, agentId: string): void {
    for (const key of [...this.indexOf('bindingsByAgent').keys(`${tenant}\u0000${agentId}`)]) this.write('bindings', key, ABSENT);
    for (const key of [...this.indexOf('slotBindings').keys(`${tenant}\u0000${agentId}`)]) this.write('slotBindings', key, ABSENT);
  }

  // Slot bindings

  findSlotBinding(tenant: string, agentId: string, slotName: string): SlotBindingRecord | undefined {
    return this.listSlotBindings(tenant, { agentId }).find((b) => b.slotName === slotName);
  }

  /** The tenant's slot bindings in creation order, narrowed to one agent or one participant. */
  listSlotBindings(tenant: string, filter: { agentId?: string; participantId?: string } = {}): SlotBindingRecord[] {
    if (filter.agentId !== undefined) return this.listGroup<SlotBindingRecord>('slotBindings', `${tenant}\u0000${filter.agentId}`);
    if (filter.participantId !== undefined) return this.listGroup<SlotBindingRecord>('slotBindingsByParticipant', `${tenant}\u0000${filter.participantId}`);
    return ([...this.tables.slotBindings.values()] as SlotBindingRecord[]).filter((b) => b.tenant === tenant);
  }

  putSlotBinding(binding: SlotBindingRecord): void {
    this.write('slotBindings', binding.id, binding);
  }

  deleteSlotBinding(id: string): void {
    this.write('slotBindings', id, ABSENT);
  }

  // Whole-state operations

  /**
   * Empties every collection and restarts the sequence: the state of a freshly started mock; with a
   * `baseline` (a valid state: see ControlState.setBaseline), that state instead.
   */
  async reset(baseline?: StoreData): Promise<void> {
    await this.mutate(() => this.replaceState(baseline ?? emptyData()));
  }

  /**
   * Removes every record of one tenant, in every collection, and puts back the baseline's records of that
   * tenant when there is one; other tenants and the sequence are kept.
   */
  async resetTenant(tenant: string, baseline?: StoreData): Promise<number> {
    return this.mutate(() => {
      let removed = 0;
      for (const name of COLLECTIONS) {
        for (const [key, record] of [...this.tables[name]]) {
          if ((record as { tenant?: unknown }).tenant === tenant) {
            this.write(name, key, ABSENT);
            removed += 1;
          }
        }
        for (const [key, record] of Object.entries((baseline?.[name] ?? {}) as Record<string, Stored>)) {
          if ((record as { tenant?: unknown }).tenant === tenant) this.write(name, key, record);
        }
      }
      return removed;
    });
  }

  /**
   * Replaces the whole state with `data`, or throws StateError (changing nothing) when it is not valid.
   * With `idOf` (the id the mock hands out for a sequence number), a `meta.sequence` after which the mock
   * would hand out an id the snapshot already holds is refused too: creates would overwrite that record.
   */
  async replaceAll(data: unknown, options: { idOf?: (sequence: number) => string } = {}): Promise<void> {
    const problem = describeInvalidState(data);
    if (problem) throw new StateError(problem.message);
    const next = data as StoreData;
    const stale = options.idOf && describeStaleSequence(next, Math.max(this.meta.sequence, next.meta.sequence), options.idOf);
    if (stale) throw new StateError(stale);
    await this.mutate(() => this.replaceState(next));
  }

  /** Only the records of one tenant, with the meta block, as `snapshot()` shapes them. */
  snapshotOf(tenant: string): StoreData {
    return this.copyOf(this.meta, this.tables, (record) => (record as { tenant?: unknown }).tenant === tenant);
  }

  /** A deep copy of everything stored. */
  snapshot(): StoreData {
    return this.copyOf(this.meta, this.tables);
  }

  /** The tenants that hold a record in any of `collections`, read in place (no copy). */
  tenantsIn(collections: readonly CollectionName[]): Set<string> {
    const tenants = new Set<string>();
    for (const name of collections) for (const record of this.tables[name].values()) tenants.add((record as { tenant: string }).tenant);
    return tenants;
  }

  /** Counts of stored records, by collection. */
  counts(): Record<CollectionName, number> {
    return Object.fromEntries(COLLECTIONS.map((name) => [name, this.tables[name].size])) as Record<CollectionName, number>;
  }

  /** Replaces the whole state (reset, import); journaled as one full-state entry. Call inside `mutate`. */
  private replaceState(data: StoreData): void {
    const tx = this.requireTransaction('replaceState');
    tx.replaced ??= { tables: this.tables, before: tx.before };
    tx.before = new Map();
    tx.texts = new Map();
    this.tables = tablesOf(data);
    Object.assign(this.meta, data.meta);
    this.rebuildIndexes();
  }

  // The write path

  private find<R>(collection: CollectionName, key: string): R | undefined {
    return this.tables[collection].get(key) as R | undefined;
  }

  /** The records of one group of the index `name` (a collection's name, or the index's own). */
  private listGroup<R>(name: string, group: string): R[] {
    const index = this.indexOf(name);
    const table = this.tables[index.collection as CollectionName];
    return Array.from(index.keys(group), (key) => table.get(key) as R);
  }

  private indexOf(name: string): Index {
    return this.indexes.find((index) => index.name === name)!;
  }

  /**
   * Stores a frozen copy of `value` under `key` (ABSENT removes it), remembering what was there for undo.
   * The copy is parsed from the compact JSON the journal line is built from, so what is stored is exactly
   * what a restart reads back.
   */
  private write(collection: CollectionName, key: string, value: object | typeof ABSENT): void {
    const tx = this.requireTransaction(`a write to ${collection}`);
    const table = this.tables[collection];
    const before = table.get(key) ?? ABSENT;
    let touched = tx.before.get(collection);
    if (!touched) tx.before.set(collection, (touched = new Map()));
    if (!touched.has(key)) touched.set(key, before);
    let texts = tx.texts.get(collection);
    if (!texts) tx.texts.set(collection, (texts = new Map()));
    if (value === ABSENT) {
      texts.set(key, null);
      this.place(collection, key, before, ABSENT);
    } else {
      const text = JSON.stringify(value);
      texts.set(key, text);
      this.place(collection, key, before, deepFreeze(JSON.parse(text) as Stored));
    }
  }

  /** Sets one record and moves it in the indexes of its collection. */
  private place(collection: CollectionName, key: string, before: Stored | typeof ABSENT, after: Stored | typeof ABSENT): void {
    const table = this.tables[collection];
    if (after === ABSENT) table.delete(key);
    else table.set(key, after);
    for (const index of this.indexes) if (index.collection === collection) index.move(key, before, after);
  }

  /** Puts back what a transaction found. */
  private rollback(tx: Transaction): void {
    const undo = (before: Before) => {
      for (const [collection, keys] of before) {
        for (const [key, record] of keys) this.place(collection, key, this.tables[collection].get(key) ?? ABSENT, record);
      }
    };
    undo(tx.before);
    if (tx.replaced) {
      this.tables = tx.replaced.tables;
      undo(tx.replaced.before);
      this.rebuildIndexes();
    }
    Object.assign(this.meta, tx.meta);
  }

  /** Undoes, newest first, every transaction whose journal line came after `lastDurable`: they failed. */
  private undoSince(lastDurable: number): void {
    this.dropDurable(lastDurable);
    for (const tx of this.inFlight.splice(0).reverse()) this.rollback(tx);
  }

  /** Forgets the transactions whose lines are on disk. */
  private dropDurable(durable = this.file?.durableIndex ?? Infinity): void {
    let count = 0;
    while (count < this.inFlight.length && this.inFlight[count]!.index! <= durable) count += 1;
    if (count > 0) this.inFlight.splice(0, count);
  }

  /**
   * The state as the journal on disk has it: the current state with the changes not yet durable taken
   * back out (records are frozen, so the copy shares them). It is what a fold writes into the store file.
   */
  private durableState(): StoreData {
    this.dropDurable();
    let tables = this.tables;
    let meta = this.meta;
    if (this.inFlight.length > 0) {
      tables = Object.fromEntries(COLLECTIONS.map((name) => [name, new Map(this.tables[name])])) as Tables;
      const undo = (before: Before) => {
        for (const [collection, keys] of before) {
          for (const [key, record] of keys) {
            if (record === ABSENT) tables[collection].delete(key);
            else tables[collection].set(key, record);
          }
        }
      };
      for (const tx of [...this.inFlight].reverse()) {
        undo(tx.before);
        if (tx.replaced) {
          tables = Object.fromEntries(COLLECTIONS.map((name) => [name, new Map(tx.replaced!.tables[name])])) as Tables;
          undo(tx.replaced.before);
        }
        meta = tx.meta;
      }
    }
    return plainOf(meta, tables);
  }

  /** A deep, unfrozen copy of the records `keep` accepts. */
  private copyOf(meta: Meta, tables: Tables, keep: (record: Stored) => boolean = () => true): StoreData {
    const copy = { meta: { ...meta } } as StoreData;
    for (const name of COLLECTIONS) {
      const records: Record<string, Stored> = {};
      for (const [key, record] of tables[name]) if (keep(record)) Object.defineProperty(records, key, { value: structuredClone(record), enumerable: true, writable: true, configurable: true });
      (copy as unknown as Record<string, unknown>)[name] = records;
    }
    return copy;
  }

  /** The journal line of a transaction, built around the texts it wrote; none when it changed nothing. */
  private journalLine(tx: Transaction): string | undefined {
    const meta = JSON.stringify(this.meta);
    if (tx.replaced) return `{"meta":${meta},"state":${JSON.stringify(plainOf(this.meta, this.tables))}}\n`;
    const ops: string[] = [];
    for (const [collection, keys] of tx.texts) {
      for (const [key, text] of keys) ops.push(`[${JSON.stringify(collection)},${JSON.stringify(key)},${text ?? 'null'}]`);
    }
    if (ops.length === 0 && this.meta.sequence === tx.meta.sequence) return undefined;
    return `{"meta":${meta},"ops":[${ops.join(',')}]}\n`;
  }

  private requireTransaction(what: string): Transaction {
    if (!this.tx) throw new Error(`${what} must happen inside store.mutate()`);
    return this.tx;
  }

  private rebuildIndexes(): void {
    for (const index of this.indexes) index.rebuild(this.tables[index.collection as CollectionName]);
  }
}

/** Thrown by `replaceAll` for a state that does not validate. */
export class StateError extends Error {}

/** The state as one plain object sharing the stored (frozen) records. */
function plainOf(meta: Meta, tables: Tables): StoreData {
  const data = { meta: { ...meta } } as StoreData;
  for (const name of COLLECTIONS) (data as unknown as Record<string, unknown>)[name] = Object.fromEntries(tables[name]);
  return data;
}

/**
 * Tables of valid plain state, its records frozen: copies of them, or, when the store owns `data` (it was
 * just parsed from the store file, or cloned for it), the records themselves, so opening a large file does
 * not hold every record twice.
 */
function tablesOf(data: StoreData, owned = false): Tables {
  const tables = {} as Tables;
  for (const name of COLLECTIONS) {
    const records = data[name] as Record<string, Stored>;
    const table = new Map<string, Stored>();
    for (const key of Object.keys(records)) table.set(key, deepFreeze(owned ? records[key]! : structuredClone(records[key]!)));
    tables[name] = table;
  }
  return tables;
}

/** Freezes a JSON value and everything in it (without making an array of each object's values). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key in value) if (Object.hasOwn(value, key)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return Object.freeze(value);
}

/** The key of a scripted provider answer: one per address of a tenant. */
export function providerAnswerKey(tenant: string, address: string): string {
  return `${tenant}\u0000${address}`;
}

/**
 * Rule ids-case-insensitive: configs, revisions and participants are GUIDs, which .NET compares
 * case-insensitively; they are stored lower-case, so a lookup lower-cases the id it is given.
 */
export function guidKey(id: string): string {
  return id.toLowerCase();
}
