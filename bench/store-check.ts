/**
 * A quick check of the store's figures, much smaller than `npm run bench`: cold start, create config on an
 * empty store and with 10,000 stored records (req/s, peak RSS), `reset()` with 1,000 records, and what one
 * lowdb whole-file write of the 10,000-record state costs (what each create would pay without the journal).
 *
 *   npm run build && tsc -p tsconfig.bench.json && node dist/bench/store-check.js [root-of-another-build]
 *
 * With a root, the CLI of that checkout's build is measured too, in alternation, for a side-by-side figure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { writePreloadedStore } from './preload.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HEADERS = { authorization: 'Bearer bench', 'content-type': 'application/json' };
const CREATE = { method: 'POST' as const, path: '/v1/tenants/bench/integrations/slack/configs', body: JSON.stringify({ displayName: 'Bench' }) };

type Server = { url: string; pid: number; stop: () => Promise<void> };

async function start(root: string, db: string): Promise<Server & { startMs: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist/src/bin.js'), '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolveUrl(match[1]!);
    });
    child.on('exit', () => reject(new Error(`exited: ${out}`)));
  });
  await fetch(`${url}/__mock/health`);
  const startMs = performance.now() - began;
  const stop = () => new Promise<void>((done) => (child.once('exit', () => done()), child.kill('SIGTERM')));
  return { url, pid: child.pid!, startMs, stop };
}

async function creates(url: string, amount: number): Promise<number> {
  const result = await autocannon({ url, connections: 16, amount, headers: HEADERS, requests: [CREATE] });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.total / result.duration;
}

const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function measureBuild(root: string, dir: string, round: number) {
  const empty = join(dir, `empty-${round}.json`);
  const full = join(dir, `full-${round}.json`);
  writePreloadedStore(full, 10_000);
  const a = await start(root, empty);
  await creates(a.url, 2000);
  const emptyRps = await creates(a.url, 6000);
  await a.stop();
  const b = await start(root, full);
  await creates(b.url, 2000);
  const fullRps = await creates(b.url, 6000);
  const rss = peakRssMb(b.pid);
  await b.stop();
  const cold = await start(root, join(dir, `cold-${round}.json`));
  await cold.stop();
  return { emptyRps, fullRps, ratio: fullRps / emptyRps, rss, coldMs: cold.startMs, fullStartMs: b.startMs };
}

async function resetFigure(root: string, dir: string): Promise<number> {
  const { Store } = (await import(join(root, 'dist/src/store/store.js'))) as typeof import('../src/store/store.js');
  const store = await Store.openFile(join(dir, `reset-${root.length}.json`));
  const config = (id: string) => ({
    id, tenant: 'acme', integrationId: 'slack', displayName: id, parameters: {}, auth: null, authMap: [], sandboxMode: 'NONE' as const,
    sandboxVariant: null, publishedRevisionId: null, createdBy: 'b', createdAt: 0, modifiedAt: 0,
  });
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.mutate(() => store.putConfig(config(`c${i}`)))));
    const began = performance.now();
    await store.reset();
    times.push(performance.now() - began);
  }
  await store.close();
  return times.sort((x, y) => x - y)[2]!;
}

async function lowdbWriteFigure(dir: string): Promise<number> {
  const file = join(dir, 'lowdb.json');
  writePreloadedStore(file, 10_000);
  const db = new Low(new JSONFile<unknown>(file), {});
  await db.read();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const began = performance.now();
    await db.write();
    times.push(performance.now() - began);
  }
  return times.sort((x, y) => x - y)[2]!;
}

const other = process.argv[2] ? resolve(process.argv[2]) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'fruxon-store-check-'));
try {
  const builds: [string, string][] = [['this build', ROOT], ...(other ? [['other build', other] as [string, string]] : [])];
  for (let round = 0; round < 2; round++) {
    for (const [name, root] of builds) {
      const m = await measureBuild(root, dir, round);
      console.log(
        `${name} round ${round + 1}: create empty ${m.emptyRps.toFixed(0)} req/s, with 10k ${m.fullRps.toFixed(0)} req/s ` +
          `(${(m.ratio * 100).toFixed(0)}% of empty), peak RSS with 10k ${m.rss.toFixed(0)} MB, ` +
          `cold start ${m.coldMs.toFixed(0)} ms, start with 10k ${m.fullStartMs.toFixed(0)} ms`,
      );
    }
  }
  for (const [name, root] of builds) console.log(`${name}: reset() with 1,000 records: median ${(await resetFigure(root, dir)).toFixed(2)} ms`);
  const write = await lowdbWriteFigure(dir);
  console.log(`one lowdb JSONFile write of 10,000 records: median ${write.toFixed(1)} ms (at most ${(1000 / write).toFixed(0)} whole-file writes/s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
