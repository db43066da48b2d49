import { close, fdatasync, fsync, ftruncate, open as openCallback, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

/**
 * The file operations the write-ahead log makes, passed in so a test can make them fail as a full disk or
 * exhausted file handles would (see test/store-failures.test.ts). `write` writes the whole buffer or throws.
 */
export type LogFs = {
  /** Opens for appending, creating the file with mode 0600. */
  open(path: string): Promise<number>;
  write(fd: number, data: Buffer): void;
  sync(fd: number): Promise<void>;
  truncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
};

const openAsync = promisify(openCallback);
const closeAsync = promisify(close);
const fsyncAsync = promisify(fsync);

export const NODE_LOG_FS: LogFs = {
  open: (path) => openAsync(path, 'a', 0o600),
  write: (fd, data) => {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  },
  sync: promisify(fdatasync),
  truncate: promisify(ftruncate),
  close: closeAsync,
  rename,
};

/** How many fdatasyncs may be in flight at once: overlapping them lets the next batch start before the last is on disk. */
const MAX_SYNCS = 3;

type Barrier = { index: number; resolve: () => void; reject: (error: Error) => void };

/**
 * The store's write-ahead log: an append-only file of lines with group commit. The lines appended in one
 * turn of the event loop go out in one write, then one fdatasync, and each `append` resolves only once its
 * line is on disk. Writes are issued one after another; their fdatasyncs overlap (up to MAX_SYNCS), and since
 * an fdatasync covers every write that finished before it began, it acknowledges its batch and every earlier one.
 *
 * When a write or sync fails, every line not yet on disk fails with it: `onFailure` is called first (the
 * store undoes those changes before anyone can see them), then their `append`s reject. The file is cut back
 * to what was on disk before the next batch goes out, so a failed line can never reappear, and appending
 * works again as soon as the disk does.
 */
export class WriteAheadLog {
  private fd: number | undefined;
  private pending: string[] = [];
  /** Index of the last line appended, and of the last line known to be on disk or failed. */
  private appended = 0;
  private durable = 0;
  private barriers: Barrier[] = [];
  private writing = false;
  private syncing = 0;
  private paused = false;
  private scheduled = false;
  private quietWaiters: (() => void)[] = [];
  /** Bumped by each failure, so a sync that finishes after its batch failed acknowledges nothing. */
  private generation = 0;
  /** Bytes of the file known to be on disk, and written to it so far; after a failure the rest is cut off. */
  private durableBytes = 0;
  private fileBytes = 0;
  private needsRepair = false;
  /** Set when the file was created: its directory must be synced before anything in it counts as written. */
  private directoryDirty = false;
  /** Bytes in the current file, including lines not yet written. */
  bytes = 0;

  constructor(
    readonly file: string,
    private readonly fs: LogFs,
    /** Called as soon as a write fails, with the index of the last line on disk: lines after it are lost. */
    private readonly onFailure: (error: Error, lastDurable: number) => void,
    /** Bytes already in the file (all on disk): a log opened over what start-up replayed. */
    existingBytes = 0,
  ) {
    this.durableBytes = this.fileBytes = this.bytes = existingBytes;
  }

  /** Index of the last line on disk (or failed: a failed line is never retried). */
  get durableIndex(): number {
    return this.durable;
  }

  get appendedIndex(): number {
    return this.appended;
  }

  /** Opens the file now, so a log that cannot be written is found at start. */
  async open(): Promise<void> {
    this.fd ??= await this.fs.open(this.file);
  }

  /** Queues one line; resolves once it is durable, rejects if it cannot be made so. */
  append(line: string): Promise<void> {
    this.pending.push(line);
    this.bytes += Buffer.byteLength(line);
    this.appended += 1;
    const done = this.barrier(this.appended);
    this.schedule();
    return done;
  }

  /** Resolves once every line appended so far is durable; rejects if one of them failed. */
  settle(): Promise<void> {
    return this.barrier(this.appended);
  }

  /**
   * Runs `fn` once nothing is being written or synced and every line written is on disk, holding back new
   * batches until it is done: lines appended meanwhile wait in memory.
   */
  async whileQuiet<T>(fn: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      await this.quiet();
      return await fn();
    } finally {
      this.paused = false;
      this.schedule();
    }
  }

  /** Moves the file aside to `target`; call inside `whileQuiet`. Lines appended since go to a fresh file. */
  async rotate(target: string): Promise<void> {
    if (this.needsRepair) await this.repair();
    // No file yet (nothing written since the last rotation): nothing to move, an empty one stands in.
    await this.fs.rename(this.file, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await (await open(target, 'a', 0o600)).close();
    });
    if (this.fd !== undefined) await this.fs.close(this.fd).catch(() => {});
    this.fd = undefined;
    this.durableBytes = this.fileBytes = 0;
    this.needsRepair = false;
    this.bytes = this.pending.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  }

  async close(): Promise<void> {
    await this.settle().catch(() => {});
    await this.quiet();
    if (this.fd !== undefined) await this.fs.close(this.fd);
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
    if (this.writing || this.paused || this.pending.length === 0 || this.syncing >= MAX_SYNCS) return;
    if (this.needsRepair && this.syncing > 0) return; // the last syncs of a failed generation finish first
    this.writing = true;
    const lines = this.pending;
    const last = this.appended;
    const generation = this.generation;
    this.pending = [];
    try {
      if (this.needsRepair) await this.repair();
      if (this.fd === undefined) {
        this.fd = await this.fs.open(this.file);
        this.directoryDirty = true;
      }
      const fd = this.fd;
      const data = Buffer.from(lines.join(''));
      // A few kB into the page cache: cheaper inline than a trip through the thread pool. The sync is what waits.
      this.fs.write(fd, data);
      this.fileBytes += data.length;
      const end = this.fileBytes;
      this.writing = false;
      this.syncing += 1;
      this.schedule();
      try {
        await this.fs.sync(fd);
        if (this.directoryDirty) {
          await syncDirectory(this.file);
          this.directoryDirty = false;
        }
      } finally {
        this.syncing -= 1;
      }
      if (generation === this.generation) {
        this.durableBytes = Math.max(this.durableBytes, end);
        this.acknowledge(last);
      }
    } catch (error) {
      this.writing = true;
      if (generation === this.generation) await this.fail(error instanceof Error ? error : new Error(String(error)));
      this.writing = false;
    }
    if (!this.writing && this.syncing === 0) for (const resolve of this.quietWaiters.splice(0)) resolve();
    this.schedule();
  }

  /** Cuts the file back to what is on disk, so a line that failed can never be read back. */
  private async repair(): Promise<void> {
    if (this.fd === undefined) this.fd = await this.fs.open(this.file);
    await this.fs.truncate(this.fd, this.durableBytes);
    await this.fs.sync(this.fd);
    this.fileBytes = this.durableBytes;
    this.needsRepair = false;
  }

  private acknowledge(index: number): void {
    if (index <= this.durable) return;
    this.durable = index;
    let count = 0;
    while (count < this.barriers.length && this.barriers[count]!.index <= index) count += 1;
    for (const barrier of this.barriers.splice(0, count)) barrier.resolve();
  }

  /**
   * Fails every line not on disk: those written in this generation and those still waiting. The store undoes
   * them at once; the file is cut back before their appends reject, so no line answered with an error can be
   * replayed after a crash (if cutting fails too, it is tried again before the next write).
   */
  private async fail(error: Error): Promise<void> {
    const lastDurable = this.durable;
    this.generation += 1;
    this.needsRepair = true;
    this.pending = [];
    this.durable = this.appended;
    this.bytes = this.durableBytes;
    const failed = this.barriers.splice(0);
    this.onFailure(error, lastDurable);
    await this.repair().catch(() => {});
    for (const barrier of failed) barrier.reject(error);
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
