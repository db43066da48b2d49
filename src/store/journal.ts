import { close, fdatasync, fsync, open, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { StoreData } from './types.js';

const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);
const openAsync = promisify(open);
const closeAsync = promisify(close);

/** One record written or removed: `[collection, key, record]`, with `null` for a removal. */
export type JournalOp = [collection: string, key: string, record: unknown];

/**
 * One committed `mutate`, as one line of the journal: the meta block after it, and either the records it
 * touched (`ops`) or, when it replaced the whole state, that state. Replaying entries is idempotent, so a
 * journal may safely be replayed over a snapshot that already holds some of it.
 */
export type JournalEntry = { meta: StoreData['meta']; ops?: JournalOp[]; state?: StoreData };

/** Thrown when a journal line that was completely written does not parse. */
export class JournalError extends Error {}

/**
 * Reads the entries of a journal file; a missing file has none. A last line without its newline is a write
 * that a crash cut short: it was never acknowledged, so it is dropped. Any other bad line is an error.
 */
export function readJournal(file: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // the torn tail, or '' after the final newline
  return lines.map((line, index) => {
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (typeof entry !== 'object' || entry === null || typeof entry.meta !== 'object') throw new Error('not an entry');
      return entry;
    } catch (error) {
      throw new JournalError(`${file} line ${index + 1} is not a journal entry: ${(error as Error).message}`);
    }
  });
}

/** How many fdatasyncs may be in flight at once: overlapping them lets the next batch start before the last is on disk. */
const MAX_SYNCS = 3;

type Barrier = { index: number; resolve: () => void; reject: (error: Error) => void };

/**
 * An append-only file of journal lines with group commit: the lines appended in one turn of the event loop
 * go out in one write, then one fdatasync, and each `append` resolves only once its line is on disk. Writes
 * are issued one after another; their fdatasyncs overlap (up to MAX_SYNCS), and since an fdatasync covers
 * every write that finished before it began, it acknowledges its batch and every earlier one.
 * After a failed write or sync the journal refuses everything, so nothing is acknowledged on top of a loss.
 */
export class Journal {
  private fd: number | undefined;
  private pending: string[] = [];
  /** Index of the last line appended, and of the last line known to be on disk. */
  private appended = 0;
  private durable = 0;
  private barriers: Barrier[] = [];
  private writing = false;
  private syncing = 0;
  private paused = false;
  private scheduled = false;
  private quietWaiters: (() => void)[] = [];
  private failure: Error | undefined;
  /** Set when the file was created: its directory must be synced before anything in it counts as written. */
  private directoryDirty = false;
  /** Bytes in the current file, including lines not yet written. */
  bytes = 0;

  constructor(readonly file: string) {}

  /** Queues one serialized entry; resolves once it is durable. */
  append(line: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending.push(line);
    this.bytes += Buffer.byteLength(line);
    this.appended += 1;
    const done = this.barrier(this.appended);
    this.schedule();
    return done;
  }

  /** Resolves once every line appended so far is durable. */
  settle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.barrier(this.appended);
  }

  /**
   * Moves the current file aside to `target` once nothing is being written or synced to it; lines appended
   * meanwhile go to a fresh file. The caller snapshots the state and then deletes `target`.
   */
  async rotate(target: string): Promise<void> {
    this.paused = true;
    try {
      await this.quiet();
      if (this.failure) throw this.failure;
      const moved = this.fd ?? openSync(this.file, 'a');
      renameSync(this.file, target);
      this.fd = undefined;
      this.bytes = this.pending.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
      await closeAsync(moved);
    } finally {
      this.paused = false;
      this.schedule();
    }
  }

  async close(): Promise<void> {
    await this.settle();
    await this.quiet();
    if (this.fd !== undefined) await closeAsync(this.fd);
    this.fd = undefined;
  }

  private barrier(index: number): Promise<void> {
    if (index <= this.durable) return Promise.resolve();
    return new Promise((resolve, reject) => this.barriers.push({ index, resolve, reject }));
  }

  private quiet(): Promise<void> {
    if (!this.writing && this.syncing === 0) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  /** Lets every request handled in this turn of the event loop join the next write. */
  private schedule(): void {
    if (this.scheduled || this.writing || this.paused || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.writeBatch();
    });
  }

  private async writeBatch(): Promise<void> {
    if (this.writing || this.paused || this.failure || this.pending.length === 0 || this.syncing >= MAX_SYNCS) return;
    this.writing = true;
    const lines = this.pending;
    const last = this.appended;
    this.pending = [];
    try {
      if (this.fd === undefined) {
        this.fd = await openAsync(this.file, 'a');
        this.directoryDirty = true;
      }
      const fd = this.fd;
      // A few kB into the page cache: cheaper inline than a trip through the thread pool. The sync is what waits.
      writeAll(fd, Buffer.from(lines.join('')));
      this.writing = false;
      this.syncing += 1;
      this.schedule();
      await fdatasyncAsync(fd);
      if (this.directoryDirty) {
        await syncDirectory(this.file);
        this.directoryDirty = false;
      }
      this.syncing -= 1;
      this.acknowledge(last);
    } catch (error) {
      this.writing = false;
      this.syncing = 0;
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
    if (!this.writing && this.syncing === 0) for (const resolve of this.quietWaiters.splice(0)) resolve();
    this.schedule();
  }

  private acknowledge(index: number): void {
    if (index <= this.durable) return;
    this.durable = index;
    let count = 0;
    while (count < this.barriers.length && this.barriers[count]!.index <= index) count += 1;
    for (const barrier of this.barriers.splice(0, count)) barrier.resolve();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.pending = [];
    for (const barrier of this.barriers.splice(0)) barrier.reject(this.failure);
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** Makes a file's creation, rename or removal durable. */
export async function syncDirectory(file: string): Promise<void> {
  const fd = await openAsync(dirname(file), 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    await closeAsync(fd);
  }
}
