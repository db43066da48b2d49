import { close, fdatasync, fsync, open, openSync, readFileSync, renameSync, write } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { StoreData } from './types.js';

const writeAsync = promisify(write);
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

/**
 * An append-only file of journal lines with group commit: every line appended while a write is under way
 * goes out in the next single write + fdatasync, and each `append` resolves only once its line is on disk.
 * After a failed write the journal refuses everything, so no later change is acknowledged on top of a lost one.
 */
export class Journal {
  private fd: number | undefined;
  private lines: string[] = [];
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private draining: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Set when the file was created or renamed: its directory must be synced before anything counts as written. */
  private directoryDirty = false;
  /** Bytes in the current file, including lines not yet written. */
  bytes = 0;

  constructor(readonly file: string) {}

  /** Queues one serialized entry; resolves once it is durable. */
  append(line: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.draining ??= this.drain();
    return done;
  }

  /** Resolves once every line appended so far is durable. */
  async settle(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.failure) throw this.failure;
  }

  /**
   * Moves the current file aside to `target` (lines still queued go to a fresh file) and returns once
   * nothing more will be written to the moved file. The caller snapshots the state and then deletes `target`.
   */
  async rotate(target: string): Promise<void> {
    while (this.draining) await this.draining;
    if (this.failure) throw this.failure;
    const moved = this.fd ?? openSync(this.file, 'a');
    renameSync(this.file, target);
    this.fd = undefined;
    this.bytes = 0;
    await closeAsync(moved);
  }

  async close(): Promise<void> {
    await this.settle();
    if (this.fd !== undefined) await closeAsync(this.fd);
    this.fd = undefined;
  }

  private async drain(): Promise<void> {
    // Let every request handled in this turn of the event loop join the first write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.lines.length > 0) {
        const lines = this.lines;
        const waiters = this.waiters;
        this.lines = [];
        this.waiters = [];
        try {
          if (this.fd === undefined) {
            this.fd = await openAsync(this.file, 'a');
            this.directoryDirty = true;
          }
          await writeAll(this.fd, Buffer.from(lines.join('')));
          await fdatasyncAsync(this.fd);
          if (this.directoryDirty) {
            await syncDirectory(this.file);
            this.directoryDirty = false;
          }
        } catch (error) {
          this.failure = error instanceof Error ? error : new Error(String(error));
          for (const waiter of [...waiters, ...this.waiters]) waiter.reject(this.failure);
          this.lines = [];
          this.waiters = [];
          return;
        }
        for (const waiter of waiters) waiter.resolve();
      }
    } finally {
      this.draining = undefined;
    }
  }
}

async function writeAll(fd: number, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await writeAsync(fd, buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
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

/** Flushes a file written by someone else (lowdb's writer renames a temp file and does not sync). */
export async function syncFile(file: string): Promise<void> {
  const fd = await openAsync(file, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    await closeAsync(fd);
  }
}
