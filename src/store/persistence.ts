import { existsSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { JSONFileSync } from 'lowdb/node';
import { readJsonByRecords, type MemberHook } from './read-records.js';
import { Journal, JournalError, readJournal, syncDirectory, type JournalEntry } from './journal.js';
import { writeJsonByRecords } from './write-records.js';

/** Thrown when a store file exists but cannot be used; the file is left untouched. */
export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot use store file ${file}: ${reason}`);
  }
}

/** Where committed changes go. `commit` resolves only once the change is durable. */
export type Persistence = {
  readonly durable: boolean;
  /** `line` is one journal entry's JSON and a newline. */
  commit(line: string): Promise<void>;
  /** Resolves once everything committed so far is durable. */
  settle(): Promise<void>;
  /** Resolves once everything committed so far is in the store file itself. */
  flush(): Promise<void>;
  close(): Promise<void>;
};

export type FileOptions = {
  /** The journal is folded into the store file once it is this large and as large as the store file. */
  compactAfterBytes?: number;
};

// Each fold rewrites the whole store file, its slices taking turns with requests; a higher floor means a small
// store is folded less often (a create run's p99 was ~2 ms lower without folds), for up to 32 MB of journal to
// replay after a crash (~0.8 s here, with the fold that follows).
const DEFAULT_COMPACT_AFTER_BYTES = 32 * 1024 * 1024;
const RESOLVED = Promise.resolve();

/** Keeps nothing: the in-memory store. */
export const MEMORY_PERSISTENCE: Persistence = {
  durable: false,
  commit: () => RESOLVED,
  settle: () => RESOLVED,
  flush: () => RESOLVED,
  close: () => RESOLVED,
};

/** What a store file and its journals held at start, before anything is written. */
export type StoredState = { data: unknown; entries: JournalEntry[] };

/** The journal beside a store file, and where it is moved while being folded in. */
export const journalFiles = (file: string) => ({ journal: `${file}.journal`, folding: `${file}.journal.folding` });

/**
 * Reads a store file and the journal entries not yet folded into it. Throws StoreFileError, having written
 * nothing, when any of them cannot be read. `member` may take each record as it is read (see MemberHook);
 * when the file is read whole instead, every record stays in `data`.
 */
export function readStoredState(file: string, member?: MemberHook): StoredState {
  let data: unknown;
  try {
    // Record by record where it can, else lowdb's sync reader (which also gives JSON.parse's error message);
    // its async reader holds the file's bytes twice over while decoding (+80 MB at 100k records).
    data = (existsSync(file) ? readJsonByRecords(file, member) : undefined) ?? new JSONFileSync<unknown>(file).read();
  } catch (error) {
    throw new StoreFileError(file, error instanceof Error ? error.message : String(error));
  }
  const { journal, folding } = journalFiles(file);
  try {
    return { data, entries: [...readJournal(folding), ...readJournal(journal)] };
  } catch (error) {
    const reason = error instanceof JournalError ? error.message : `cannot read its journal: ${String(error)}`;
    throw new StoreFileError(file, reason);
  }
}

/**
 * A lowdb JSON file plus an append-only journal beside it. Each commit appends one line to the journal and
 * resolves after fdatasync (one for every commit in the same turn of the event loop), so a request costs
 * O(its change). Once the journal outgrows the store file, the store file is rewritten from memory in the
 * background, in lowdb's format, and the folded journal is deleted: rewriting costs O(store) but happens
 * after O(store) journal bytes, so it stays O(change) per request on average.
 */
export class FilePersistence implements Persistence {
  readonly durable = true;
  private readonly journal: Journal;
  private readonly folding: string;
  private readonly compactAfterBytes: number;
  private storeFileBytes: number;
  private compacting: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly file: string,
    /** The meta block and each collection, as a plain object or a RecordTable, in file order. */
    private readonly state: () => Record<string, unknown>,
    options: FileOptions = {},
  ) {
    const files = journalFiles(file);
    this.journal = new Journal(files.journal);
    this.folding = files.folding;
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    this.storeFileBytes = existsSync(file) ? statSync(file).size : 0;
  }

  /** Writes the state into the store file and removes the journals it replayed (start-up recovery). */
  async foldReplayed(): Promise<void> {
    await this.writeStoreFile();
    for (const journal of [this.folding, this.journal.file]) {
      if (existsSync(journal)) await unlink(journal);
    }
    await syncDirectory(this.file);
  }

  commit(line: string): Promise<void> {
    const written = this.journal.append(line);
    if (this.journal.bytes >= Math.max(this.compactAfterBytes, this.storeFileBytes)) void this.startCompaction();
    return written;
  }

  settle(): Promise<void> {
    return this.journal.settle();
  }

  async flush(): Promise<void> {
    await this.journal.settle();
    while (this.compacting) await this.compacting;
    if (this.journal.bytes > 0 || !existsSync(this.file)) await this.startCompaction();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.journal.close();
  }

  /** At most one compaction runs at a time, and none after one failed. */
  private startCompaction(): Promise<void> {
    if (this.failure) return RESOLVED;
    this.compacting ??= this.compact().finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  /**
   * Moves the journal aside, rewrites the store file from memory, and deletes the moved journal. A crash at
   * any step leaves a store file plus journals that replay to the same state: entries already in the new
   * store file are rewritten with the same values.
   */
  private async compact(): Promise<void> {
    try {
      await this.journal.rotate(this.folding);
      await this.writeStoreFile();
      await unlink(this.folding);
    } catch (error) {
      // The journals still hold everything; stop folding so the moved journal is never overwritten.
      this.failure = error instanceof Error ? error : new Error(String(error));
    }
  }

  /** The same bytes lowdb's JSONFile writes, a slice of records at a time (see write-records.ts). */
  private async writeStoreFile(): Promise<void> {
    await writeJsonByRecords(this.file, this.state());
    await syncDirectory(this.file);
    this.storeFileBytes = statSync(this.file).size;
  }
}
