import { hostname } from 'node:os';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';

/** What a lock file says about the process holding the store file. */
export type LockHolder = { pid: number; startedAt: string; host: string };

/** Thrown when another live process holds the store file. */
export class StoreLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `store file ${file} is in use by process ${holder.pid} on ${holder.host} (started ${holder.startedAt}); ` +
        `stop it or give this server another --db`,
    );
  }
}

/** The lock file beside a store file. */
export const lockFileOf = (file: string) => `${file}.lock`;

/**
 * One writer per store file: a lock file beside it, created exclusively, holding the pid and start time of
 * the process that writes the store. A lock whose process is gone (a crash, SIGKILL) is stale and taken over;
 * `onStale` is told so. Errors other than a live holder (a folder that cannot be written) propagate as they are.
 */
export class StoreLock {
  private constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  static async acquire(file: string, onStale: (holder: LockHolder) => void = () => {}): Promise<StoreLock> {
    const path = lockFileOf(file);
    const mine: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), host: hostname() };
    const text = `${JSON.stringify(mine)}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusive(path, text)) return new StoreLock(path, text);
      const { holder, raw } = await readHolder(path);
      if (raw === undefined) continue; // released meanwhile: try again
      if (holder && isAlive(holder)) throw new StoreLockedError(file, holder);
      // Stale (or unreadable, from a crash while it was written). Move that very file aside, then check it is
      // the one judged stale: a process taking it over at the same moment may have put a live lock there.
      const aside = `${path}.stale-${process.pid}`;
      try {
        await rename(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = await readFile(aside, 'utf8').catch(() => undefined);
      if (moved !== raw) {
        await link(aside, path).catch(() => {});
        await unlink(aside).catch(() => {});
        continue;
      }
      await unlink(aside);
      if (holder) onStale(holder);
    }
    const { holder } = await readHolder(path);
    throw new StoreLockedError(file, holder ?? { pid: 0, startedAt: 'unknown', host: 'unknown' });
  }

  /** Removes the lock file if it is still this process's. */
  async release(): Promise<void> {
    const current = await readFile(this.file, 'utf8').catch(() => undefined);
    if (current === this.text) await unlink(this.file).catch(() => {});
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

async function readHolder(path: string): Promise<{ holder: LockHolder | undefined; raw: string | undefined }> {
  const raw = await readFile(path, 'utf8').catch(() => undefined);
  if (raw === undefined) return { holder: undefined, raw };
  try {
    const holder = JSON.parse(raw) as LockHolder;
    return { holder: Number.isSafeInteger(holder.pid) ? holder : undefined, raw };
  } catch {
    return { holder: undefined, raw };
  }
}

/** A process on another host cannot be checked from here, so its lock counts as live. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
