import { Low, Memory, type Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import {
  emptyData,
  type BindingRecord,
  type ConfigRecord,
  type OAuthKeyRecord,
  type ParticipantRecord,
  type RevisionRecord,
  type StoreData,
} from './types.js';

/** Thrown when a store file exists but cannot be used; the file is left untouched. */
export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot use store file ${file}: ${reason}`);
  }
}

const COLLECTIONS = ['configs', 'revisions', 'oauthKeys', 'participants', 'bindings'] as const;

/** Collections added after schema version 1 first shipped; a file written before them opens with them empty. */
const LATER_COLLECTIONS = ['participants', 'bindings'] as const;

/**
 * The mock's state: lowdb behind one class. Routes never touch `db.data`; they read through the finders
 * and change state only inside `mutate`, which runs its function synchronously (so no other request can
 * interleave) and resolves once the new state is written.
 */
export class Store {
  private constructor(private readonly db: Low<StoreData>) {}

  /** A store persisted to a lowdb JSON file, created on first write. */
  static async openFile(file: string): Promise<Store> {
    const db = new Low<StoreData>(new JSONFile<StoreData>(file), emptyData());
    try {
      await db.read();
    } catch (error) {
      throw new StoreFileError(file, error instanceof Error ? error.message : String(error));
    }
    addLaterCollections(db.data);
    const problem = describeInvalid(db.data);
    if (problem) throw new StoreFileError(file, problem);
    return new Store(db);
  }

  /** A store that lives in memory only (tests, `--in-memory`). */
  static async openMemory(initial?: StoreData): Promise<Store> {
    const db = new Low<StoreData>(new Memory<StoreData>() as Adapter<StoreData>, initial ?? emptyData());
    return new Store(db);
  }

  private get data(): StoreData {
    return this.db.data;
  }

  /** Runs `change` synchronously, then persists. A `change` that throws must not have changed anything. */
  async mutate<T>(change: () => T): Promise<T> {
    const result = change();
    await this.db.write();
    return result;
  }

  /** Resolves once everything acknowledged so far is written. */
  async flush(): Promise<void> {
    await this.db.write();
  }

  /** The next value of the store's monotonic sequence; ids and faked fields derive from it. */
  nextSequence(): number {
    this.data.meta.sequence += 1;
    return this.data.meta.sequence;
  }

  // Configs

  findConfig(tenant: string, integrationId: string, id: string): ConfigRecord | undefined {
    const config = this.data.configs[id];
    return config && config.tenant === tenant && config.integrationId === integrationId ? config : undefined;
  }

  listConfigs(tenant: string, integrationId: string): ConfigRecord[] {
    return Object.values(this.data.configs).filter((c) => c.tenant === tenant && c.integrationId === integrationId);
  }

  /** A config of the tenant by id alone, whatever its integration (channels carry only the config id). */
  findTenantConfig(tenant: string, id: string): ConfigRecord | undefined {
    const config = Object.hasOwn(this.data.configs, id) ? this.data.configs[id] : undefined;
    return config && config.tenant === tenant ? config : undefined;
  }

  putConfig(config: ConfigRecord): void {
    this.data.configs[config.id] = config;
  }

  /** Removes the config and every revision of it. */
  deleteConfig(id: string): void {
    delete this.data.configs[id];
    for (const revision of Object.values(this.data.revisions)) {
      if (revision.configId === id) delete this.data.revisions[revision.id];
    }
  }

  // Revisions

  findRevision(tenant: string, configId: string, id: string): RevisionRecord | undefined {
    const revision = this.data.revisions[id];
    return revision && revision.tenant === tenant && revision.configId === configId ? revision : undefined;
  }

  listRevisions(tenant: string, configId: string): RevisionRecord[] {
    return Object.values(this.data.revisions).filter((r) => r.tenant === tenant && r.configId === configId);
  }

  putRevision(revision: RevisionRecord): void {
    this.data.revisions[revision.id] = revision;
  }

  // OAuth credential keys

  findOAuthKey(key: string): OAuthKeyRecord | undefined {
    return Object.hasOwn(this.data.oauthKeys, key) ? this.data.oauthKeys[key] : undefined;
  }

  putOAuthKey(record: OAuthKeyRecord): void {
    this.data.oauthKeys[record.key] = record;
  }

  // Participants

  findParticipant(tenant: string, id: string): ParticipantRecord | undefined {
    const participant = Object.hasOwn(this.data.participants, id) ? this.data.participants[id] : undefined;
    return participant && participant.tenant === tenant ? participant : undefined;
  }

  /** The tenant's participants in creation order. */
  listParticipants(tenant: string): ParticipantRecord[] {
    return Object.values(this.data.participants).filter((p) => p.tenant === tenant);
  }

  putParticipant(participant: ParticipantRecord): void {
    this.data.participants[participant.id] = participant;
  }

  /** Removes the participant and every binding of it; the agents are untouched. */
  deleteParticipant(id: string): void {
    delete this.data.participants[id];
    for (const binding of Object.values(this.data.bindings)) {
      if (binding.participantId === id) delete this.data.bindings[binding.id];
    }
  }

  // Bindings

  findBinding(tenant: string, participantId: string, agentId: string): BindingRecord | undefined {
    return Object.values(this.data.bindings).find(
      (b) => b.tenant === tenant && b.participantId === participantId && b.agentId === agentId,
    );
  }

  /** The tenant's bindings in creation order, narrowed to one participant and/or one agent. */
  listBindings(tenant: string, filter: { participantId?: string; agentId?: string } = {}): BindingRecord[] {
    return Object.values(this.data.bindings).filter(
      (b) =>
        b.tenant === tenant &&
        (filter.participantId === undefined || b.participantId === filter.participantId) &&
        (filter.agentId === undefined || b.agentId === filter.agentId),
    );
  }

  putBinding(binding: BindingRecord): void {
    this.data.bindings[binding.id] = binding;
  }

  deleteBinding(id: string): void {
    delete this.data.bindings[id];
  }

  // Whole-state operations

  /** Empties every collection and restarts the sequence: the state of a freshly started mock. */
  async reset(): Promise<void> {
    await this.mutate(() => {
      this.db.data = emptyData();
    });
  }

  /** Removes every record of one tenant, in every collection; other tenants and the sequence are kept. */
  async resetTenant(tenant: string): Promise<number> {
    return this.mutate(() => {
      let removed = 0;
      for (const collection of collectionsOf(this.data)) {
        for (const [id, record] of Object.entries(collection)) {
          if ((record as { tenant?: unknown }).tenant === tenant) {
            delete collection[id];
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
    await this.mutate(() => {
      this.db.data = next;
    });
  }

  /** Only the records of one tenant, with the meta block, as `snapshot()` shapes them. */
  snapshotOf(tenant: string): StoreData {
    const copy = this.snapshot();
    for (const collection of collectionsOf(copy)) {
      for (const [id, record] of Object.entries(collection)) {
        if ((record as { tenant?: unknown }).tenant !== tenant) delete collection[id];
      }
    }
    return copy;
  }

  /** A deep copy of everything stored. */
  snapshot(): StoreData {
    return structuredClone(this.data);
  }

  /** Counts of stored records, by collection. */
  counts(): Record<(typeof COLLECTIONS)[number], number> {
    return {
      configs: Object.keys(this.data.configs).length,
      revisions: Object.keys(this.data.revisions).length,
      oauthKeys: Object.keys(this.data.oauthKeys).length,
      participants: Object.keys(this.data.participants).length,
      bindings: Object.keys(this.data.bindings).length,
    };
  }
}

/** Thrown by `replaceAll` for a state that does not validate. */
export class StateError extends Error {}

/** Every record collection of a state (everything but `meta`), so new collections need no code here. */
function collectionsOf(data: StoreData): Record<string, unknown>[] {
  return Object.entries(data)
    .filter(([name]) => name !== 'meta')
    .map(([, collection]) => collection as Record<string, unknown>);
}

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
