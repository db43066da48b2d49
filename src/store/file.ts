import { existsSync, readFileSync, statSync } from 'node:fs';
import { access, chmod, constants, mkdir, open, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { StoreLock, StoreLockedError, type LockHolder } from './lock.js';
import { NODE_LOG_FS, WriteAheadLog, syncDirectory, type LogFs } from './log.js';
import { COLLECTIONS, describeInvalidMeta, describeInvalidRecord, describeStaleSequence, isCollection, isObject } from './schema.js';
import { emptyData, type StoreData } from './types.js';

/** Thrown when a store file cannot be used (unreadable, unwritable, invalid); no file was changed. */
export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot use store file ${file}: ${reason}`);
  }
}

/** Why a write did not happen: `full` (ENOSPC, EDQUOT) or any other I/O failure. */
export class StoreWriteError extends Error {
  readonly kind: 'full' | 'io';
  constructor(readonly error: Error) {
    const code = (error as NodeJS.ErrnoException).code;
    super(`the store could not be written: ${code ?? error.message}`);
    this.kind = code === 'ENOSPC' || code === 'EDQUOT' ? 'full' : 'io';
  }
}

export type FileOptions = {
  /** The journal is folded into the store file once it is this large and as large as the store file. */
  compactAfterBytes?: number;
  /** The journal's file operations (tests pass failing ones). */
  fs?: LogFs;
  /** The store file's lowdb adapter; JSONFile unless a test passes one that fails. */
  adapter?: (file: string) => Adapter<StoreData>;
  /** Told what start-up did that a user should know: a torn journal line dropped, a stale lock taken over. */
  notice?: (message: string) => void;
  /** The id the mock hands out for a sequence number: a store whose sequence would reuse one of its ids is refused. */
  idOf?: (sequence: number) => string;
};

/** The store is `ok`, or `degraded` with the reason (a write that failed, a store file that could not be rewritten). */
export type StoreHealth = { status: 'ok' } | { status: 'degraded'; reason: string };

// Each fold rewrites the whole store file, so a higher floor folds a small store less often, for up to 32 MB
// of journal to replay after a crash.
const DEFAULT_COMPACT_AFTER_BYTES = 32 * 1024 * 1024;
/** Collections added after schema version 1 first shipped. */
const LATER_COLLECTIONS = ['participants', 'bindings', 'integrations', 'webhookKeys', 'accessRequests', 'providerAnswers', 'agents', 'slotBindings'] as const;
/** A store file that could not be rewritten is tried again after this long. */
const FOLD_RETRY_MS = 1000;

/** One record written or removed: `[collection, key, record]`, with `null` for a removal. */
type LogOp = [collection: string, key: string, record: unknown];

/** One committed `mutate` as a journal line: the meta block after it, and the records it touched or the whole state it set. */
type LogEntry = { meta: StoreData['meta']; ops?: LogOp[]; state?: StoreData };

export const journalFiles = (file: string) => ({ journal: `${file}.journal`, folding: `${file}.journal.folding` });

/**
 * A store file on disk: a lowdb JSON file (`Low` over `JSONFile`), the write-ahead journal in front of it,
 * and the lock that makes this process its only writer. Each change is one journal line, acknowledged once
 * fdatasync'd; the journal is folded into the store file (lowdb's `write`, a whole-file rewrite) once it
 * outgrows it, so a request costs O(its change) and the file stays a plain lowdb file.
 */
export class StoreFile {
  private readonly log: WriteAheadLog;
  private readonly folding: string;
  private readonly compactAfterBytes: number;
  private storeFileBytes: number;
  private folds: Promise<void> | undefined;
  private foldFailure: { reason: string; at: number } | undefined;
  private writeFailure: string | undefined;

  private constructor(
    readonly file: string,
    private readonly db: Low<StoreData>,
    private readonly lock: StoreLock,
    options: FileOptions,
    onFailure: (error: Error, lastDurable: number) => void,
  ) {
    const files = journalFiles(file);
    this.folding = files.folding;
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    this.storeFileBytes = existsSync(file) ? statSync(file).size : 0;
    this.log = new WriteAheadLog(files.journal, options.fs ?? NODE_LOG_FS, (error, lastDurable) => {
      this.writeFailure = describeError(error);
      onFailure(error, lastDurable);
    });
  }

  /**
   * Takes the lock, reads and validates the store file and its journal, and folds a replayed journal into
   * the store file. Throws StoreLockedError when another process holds it, StoreFileError when it cannot be
   * read, written or validated; either way no file was changed.
   */
  static async open(
    file: string,
    options: FileOptions,
    onFailure: (error: Error, lastDurable: number) => void,
  ): Promise<{ storeFile: StoreFile; data: StoreData }> {
    const notice = options.notice ?? (() => {});
    await checkWritable(file);
    let lock: StoreLock;
    try {
      lock = await StoreLock.acquire(file, (holder: LockHolder) =>
        notice(`took over the lock of ${file} from process ${holder.pid}, which is gone (started ${holder.startedAt})`),
      );
    } catch (error) {
      if (error instanceof StoreLockedError) throw error;
      throw new StoreFileError(file, `its folder cannot be written: ${describeError(error)}`);
    }
    try {
      const db = new Low<StoreData>(options.adapter?.(file) ?? new JSONFile<StoreData>(file), emptyData());
      const { data, replayed } = await load(file, db, notice);
      const stale = options.idOf && describeStaleSequence(data, data.meta.sequence, options.idOf);
      if (stale) throw new StoreFileError(file, stale);
      const storeFile = new StoreFile(file, db, lock, options, onFailure);
      if (replayed) await storeFile.foldReplayed(data);
      await storeFile.log.open().catch((error: unknown) => {
        throw new StoreFileError(file, `its journal cannot be written: ${describeError(error)}`);
      });
      return { storeFile, data };
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Index of the last journal line on disk. */
  get durableIndex(): number {
    return this.log.durableIndex;
  }

  get health(): StoreHealth {
    const reason = this.writeFailure ?? this.foldFailure?.reason;
    return reason ? { status: 'degraded', reason } : { status: 'ok' };
  }

  /** Appends one journal line (its index is then `appendedIndex`); resolves once durable, rejects with StoreWriteError. */
  async append(line: string, durableState: () => StoreData): Promise<void> {
    const written = this.log.append(line);
    if (this.log.bytes >= Math.max(this.compactAfterBytes, this.storeFileBytes)) void this.fold(durableState);
    try {
      await written;
    } catch (error) {
      throw new StoreWriteError(error as Error);
    }
    this.writeFailure = undefined;
  }

  /** Resolves once every line appended so far is durable; rejects with StoreWriteError if one failed. */
  async settle(): Promise<void> {
    await this.log.settle().catch((error: unknown) => {
      throw new StoreWriteError(error as Error);
    });
  }

  get appendedIndex(): number {
    return this.log.appendedIndex;
  }

  /** Writes the durable state into the store file; rejects with StoreWriteError when it cannot. */
  async flush(durableState: () => StoreData): Promise<void> {
    await this.log.settle().catch(() => {});
    while (this.folds) await this.folds;
    if (this.log.bytes > 0 || !existsSync(this.file) || existsSync(this.folding)) {
      this.foldFailure = undefined;
      await this.fold(durableState);
    }
    if (this.foldFailure) throw new StoreWriteError(new Error(this.foldFailure.reason));
  }

  /** Flushes, closes the journal and releases the lock. */
  async close(durableState: () => StoreData): Promise<void> {
    try {
      await this.flush(durableState);
    } finally {
      await this.log.close();
      await this.lock.release();
    }
  }

  /** At most one fold at a time; after a failed one, the next waits FOLD_RETRY_MS. */
  private fold(durableState: () => StoreData): Promise<void> {
    if (this.foldFailure && Date.now() - this.foldFailure.at < FOLD_RETRY_MS) return Promise.resolve();
    this.folds ??= this.foldOnce(durableState).finally(() => (this.folds = undefined));
    return this.folds;
  }

  /**
   * Moves the journal aside (unless a fold that failed left one there), writes the state that is on disk
   * into the store file through lowdb, and deletes the moved journal. A crash at any step leaves a store file
   * and journals that replay to the same state: lines already in the new store file set the same values.
   */
  private async foldOnce(durableState: () => StoreData): Promise<void> {
    try {
      const data = await this.log.whileQuiet(async () => {
        if (!existsSync(this.folding)) await this.log.rotate(this.folding);
        return durableState();
      });
      await this.writeStoreFile(data);
      await unlink(this.folding);
      await syncDirectory(this.file);
      this.foldFailure = undefined;
    } catch (error) {
      // The journals still hold everything: the next fold starts from the moved one.
      this.foldFailure = { reason: `the store file could not be rewritten (${describeError(error)}); changes are kept in its journal`, at: Date.now() };
    }
  }

  /** Start-up recovery: the replayed state into the store file, the journals it came from removed. */
  private async foldReplayed(data: StoreData): Promise<void> {
    try {
      await this.writeStoreFile(data);
      for (const journal of Object.values(journalFiles(this.file))) if (existsSync(journal)) await unlink(journal);
      await syncDirectory(this.file);
    } catch (error) {
      throw new StoreFileError(this.file, `its journal could not be folded into it: ${describeError(error)}`);
    }
  }

  /**
   * lowdb's write (a temp file renamed over the store file), made private and durable: the temp file is
   * created with mode 0600 first, so the renamed file has it too, then fsync'd once renamed. A failed write
   * leaves no temp file behind.
   */
  private async writeStoreFile(data: StoreData): Promise<void> {
    const temp = join(dirname(this.file), `.${basename(this.file)}.tmp`);
    try {
      await unlink(temp).catch(() => {});
      await (await open(temp, 'wx', 0o600)).close();
      this.db.data = data;
      await this.db.write();
      if (((await stat(this.file)).mode & 0o077) !== 0) await chmod(this.file, 0o600);
      const handle = await open(this.file, 'r');
      try {
        await handle.sync();
        this.storeFileBytes = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
    } finally {
      await unlink(temp).catch(() => {});
    }
  }
}

/** A store file that is a directory, or that exists but may not be written, is refused before anything else. */
async function checkWritable(file: string): Promise<void> {
  try {
    await makeFolder(dirname(file));
  } catch (error) {
    throw new StoreFileError(file, `its folder cannot be created: ${describeError(error)}`);
  }
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) throw new StoreFileError(file, 'it is a directory');
  if (info) {
    await access(file, constants.R_OK | constants.W_OK).catch((error: unknown) => {
      throw new StoreFileError(file, `it cannot be written: ${describeError(error)}`);
    });
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns for a folder under /proc (it retries
 * the ENOENT that procfs answers forever).
 */
async function makeFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info) throw Object.assign(new Error(`${folder} is a file, not a folder`), { code: 'ENOTDIR' });
  const parent = dirname(folder);
  if (parent !== folder) await makeFolder(parent);
  await mkdir(folder).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(folder)).isDirectory()) throw error;
  });
}

/**
 * Reads the store file through lowdb and replays its journals onto it, validating every record against
 * the store's schema (src/store/schema.ts). Throws StoreFileError naming file, line and field.
 */
async function load(file: string, db: Low<StoreData>, notice: (message: string) => void): Promise<{ data: StoreData; replayed: boolean }> {
  // An empty file (`touch data.json`) is a new store, as a missing one is.
  if (!isBlank(file)) {
    try {
      await db.read();
    } catch (error) {
      throw new StoreFileError(file, syntaxReason(file, error));
    }
  }
  const data = db.data as unknown;
  const foreign = describeForeignFile(data);
  if (foreign) throw new StoreFileError(file, foreign);
  // A file written before participants and bindings existed opens with them empty.
  if (isObject(data)) for (const name of LATER_COLLECTIONS) data[name] ??= {};
  const problem = describeInvalidState(data);
  if (problem) throw new StoreFileError(file, `${lineOf(file, problem.path)}${problem.message}`);
  const state = data as StoreData;
  let replayed = false;
  for (const journal of [journalFiles(file).folding, journalFiles(file).journal]) {
    const { entries, torn } = readJournal(journal);
    if (torn) notice(`dropped the last line of ${journal} (${torn} bytes), a write cut short and never acknowledged`);
    for (const { line, entry } of entries) {
      const entryProblem = describeInvalidEntry(entry);
      if (entryProblem) throw new StoreFileError(file, `${journal} line ${line}: ${entryProblem}`);
      applyEntry(state, entry as LogEntry);
    }
    replayed ||= entries.length > 0 || torn > 0;
  }
  db.data = emptyData();
  return { data: state, replayed };
}

/** Empty or only white space; a file larger than a few kB is neither, so a large store is not read twice. */
function isBlank(file: string): boolean {
  try {
    return statSync(file).size <= 4096 && readFileSync(file, 'utf8').trim() === '';
  } catch {
    return false;
  }
}

/**
 * Why a JSON file is some other program's data rather than a fruxon-mock store: no `meta` block and none
 * of the store's collections (a json-server db.json, say). Undefined when it looks like a store, valid or not.
 */
function describeForeignFile(data: unknown): string | undefined {
  if (!isObject(data) || 'meta' in data) return undefined;
  const keys = Object.keys(data);
  if (keys.length === 0 || keys.some((key) => isCollection(key))) return undefined;
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  return `it is not a fruxon-mock store (no meta block, and its top-level keys ${shown} are none of a store's collections; a json-server db.json?). Point --db at another file, or at an empty one to start a new store`;
}

/**
 * The lines of a journal file, numbered from 1; a missing file has none. A last line without its newline
 * is a write that a crash cut short: never acknowledged, so it is dropped (`torn` is its length).
 */
function readJournal(file: string): { entries: { line: number; entry: unknown }[]; torn: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], torn: 0 };
    throw new StoreFileError(file, `its journal cannot be read: ${describeError(error)}`);
  }
  const lines = text.split('\n');
  const tail = lines.pop()!;
  const entries = lines.map((line, index) => {
    try {
      return { line: index + 1, entry: JSON.parse(line) as unknown };
    } catch (error) {
      throw new StoreFileError(file, `line ${index + 1} is not a journal entry: ${(error as Error).message}`);
    }
  });
  return { entries, torn: Buffer.byteLength(tail) };
}

/** Applies one journal entry; applying it to state that already holds it changes nothing. */
function applyEntry(state: StoreData, entry: LogEntry): void {
  if (entry.state) for (const name of COLLECTIONS) state[name] = { ...entry.state[name] } as never;
  for (const [collection, key, record] of entry.ops ?? []) {
    const records = state[collection as keyof StoreData] as Record<string, unknown>;
    if (record === null) delete records[key];
    else records[key] = record;
  }
  state.meta = { ...state.meta, ...entry.meta };
}

function describeInvalidEntry(entry: unknown): string | undefined {
  if (!isObject(entry)) return 'it is not an object';
  const meta = describeInvalidMeta(entry.meta);
  if (meta) return meta;
  if (entry.state !== undefined) return describeInvalidState(entry.state)?.message;
  if (!Array.isArray(entry.ops)) return 'it has neither ops nor state';
  for (const op of entry.ops as unknown[]) {
    if (!Array.isArray(op) || !isCollection(op[0]) || typeof op[1] !== 'string') {
      return `'${JSON.stringify(op).slice(0, 80)}' is not an operation on a known collection`;
    }
    if (op[2] !== null) {
      const problem = describeInvalidRecord(op[0], op[1], op[2]);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Why `data` is not a whole state this version can use, with the path of the field at fault. */
export function describeInvalidState(data: unknown): { path: string[]; message: string } | undefined {
  if (!isObject(data)) return { path: [], message: 'the top level is not an object' };
  const meta = describeInvalidMeta(data.meta);
  if (meta) return { path: ['meta'], message: meta };
  const unknown = Object.keys(data).find((name) => name !== 'meta' && !isCollection(name));
  if (unknown) return { path: [unknown], message: `'${unknown}' is not a collection of this store (it has: ${COLLECTIONS.join(', ')})` };
  for (const name of COLLECTIONS) {
    const collection = data[name];
    if (!isObject(collection)) return { path: [name], message: `${name} must be an object keyed by id` };
    for (const key of Object.keys(collection)) {
      const problem = describeInvalidRecord(name, key, collection[key]);
      if (problem) return { path: [name, key, ...fieldOf(problem)], message: problem };
    }
  }
  return undefined;
}

/** The first field name after the record in a problem's path (`configs["c"].authMap must…` → `authMap`). */
function fieldOf(problem: string): string[] {
  const match = /^\w+\[".*?"\]\.(\w+)/.exec(problem);
  return match ? [match[1]!] : [];
}

/**
 * `line N: ` for the deepest member of `path` found in the file as lowdb lays it out (two spaces a level),
 * or '' when the file is laid out otherwise.
 */
function lineOf(file: string, path: string[]): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  let at = -1;
  for (const [depth, member] of path.entries()) {
    const found = text.indexOf(`\n${'  '.repeat(depth + 1)}${JSON.stringify(member)}:`, at + 1);
    if (found < 0) break;
    at = found + 1;
  }
  return at < 0 ? '' : `line ${text.slice(0, at).split('\n').length}: `;
}

function syntaxReason(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  if (!position) return message;
  const text = readFileSync(file, 'utf8');
  return `line ${text.slice(0, Number(position[1])).split('\n').length}: ${message}`;
}

function describeError(error: unknown): string {
  if (error instanceof StoreFileError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
