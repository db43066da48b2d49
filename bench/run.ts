/**
 * `npm run bench`: fruxon-mock against Prism, json-server and bare Express, then fruxon-mock as its store
 * grows. Every server is its own process on 127.0.0.1, started fresh for each workload; autocannon drives
 * it from this process, the servers of a workload taking their measured rounds in turn. `--quick` (or
 * BENCH_QUICK=1) runs shorter for iteration and writes no RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '../src/generate/generator.js';
import { Load, measure, type LoadSettings, type Measurement } from './load.js';
import { writePreloadedJsonServerDb, writePreloadedStore } from './preload.js';
import { renderReport, type GrowthRow, type Results } from './report.js';
import { ROOT, SERVER_KINDS, startServer, type RunningServer, type ServerKind } from './servers.js';
import { HEADERS, WORKLOADS } from './workloads.js';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const LOAD: LoadSettings = quick
  ? { connections: 16, durationSec: 2, warmupSec: 1, rounds: 1, quietWaitMs: 1000 }
  : { connections: 16, durationSec: 4, warmupSec: 2, rounds: 3, quietWaitMs: 3000 };
/**
 * Growth runs keep two rounds, and fruxon-mock's send a set number of requests per round (warm-up included), so
 * that every size's create run adds the same number of records, however fast the server is: the figures are for
 * a store of the stated size plus at most 3 x GROWTH_REQUESTS records.
 */
const GROWTH_REQUESTS = quick ? 3_000 : 10_000;
const GROWTH_LOAD: LoadSettings = { ...LOAD, rounds: Math.min(LOAD.rounds, 2), requestsPerRound: GROWTH_REQUESTS };
/** Reads add nothing, and json-server writes a few hundred records a second: those runs last the usual time. */
const TIMED_GROWTH_LOAD: LoadSettings = { ...LOAD, rounds: Math.min(LOAD.rounds, 2) };
const GROWTH_SIZES = quick ? [0, 10_000, 100_000] : [0, 10_000, 50_000, 100_000];
/** Creates sent in the at-size memory run, warm-up included: the store ends at most this much larger. */
const AT_SIZE_CREATES = 1_000;
const JSON_SERVER_GROWTH_SIZES = [0, 10_000];

let nextPort = 4100;
const scratch = mkdtempSync(join(tmpdir(), 'fruxon-bench-'));

async function main(): Promise<void> {
  const began = performance.now();
  const results: Results = { quick, load: LOAD, runs: [], coldStarts: {}, growth: [], growthRequests: GROWTH_REQUESTS, durability: undefined };
  log(`fruxon-mock bench (${quick ? 'quick' : 'full'}): ${LOAD.connections} connections, ${LOAD.warmupSec} s warm-up + ${LOAD.durationSec} s per run`);

  // A workload's servers run side by side and take their measured rounds in turn, so that a ratio compares
  // rounds taken seconds apart: this machine's speed drifts by more than the differences measured.
  for (const workload of WORKLOADS) {
    const loads: { kind: ServerKind; server: RunningServer; load: Load }[] = [];
    const servers: RunningServer[] = [];
    try {
      for (const kind of SERVER_KINDS) {
        const server = await start(kind, results);
        servers.push(server);
        const requests = await workload.prepare(server);
        if (requests) loads.push({ kind, server, load: new Load(server.origin, requests, LOAD, server.pid) });
      }
      for (const { load } of loads) await load.warmUp();
      for (let round = 0; round < LOAD.rounds; round++) for (const { load } of loads) await load.round();
      for (const kind of SERVER_KINDS) {
        const run = loads.find((l) => l.kind === kind);
        if (!run) {
          results.runs.push({ workload: workload.name, single: workload.single, kind, measurement: undefined, peakRssMb: Number.NaN });
          log(`  ${workload.name} / ${kind}: n/a`);
          continue;
        }
        const measurement = run.load.measurement();
        results.runs.push({ workload: workload.name, single: workload.single, kind, measurement, peakRssMb: run.server.peakRssMb() });
        log(`  ${workload.name} / ${kind}: ${describe(measurement)}`);
        if (kind === 'fruxon-mock' && workload.name === 'create config') {
          results.durability = await checkDurability(run.server, measurement);
        }
      }
    } finally {
      for (const server of servers) await server.stop();
    }
  }

  results.inProcess = measureInProcess();
  log(`  in-process: ${JSON.stringify(results.inProcess)}`);

  for (const size of GROWTH_SIZES) results.growth.push(await growFruxon(size));
  for (const size of JSON_SERVER_GROWTH_SIZES) results.growth.push(await growJsonServer(size));

  results.elapsedSec = (performance.now() - began) / 1000;
  const report = renderReport(results);
  process.stdout.write(`\n${report}\n`);
  if (!quick) {
    writeFileSync(join(ROOT, 'bench/RESULTS.md'), report);
    log('wrote bench/RESULTS.md');
  }
}

/** Starts a fresh server with its own empty data file and records its cold start. */
async function start(kind: ServerKind, results: Results, dataFile?: string): Promise<RunningServer> {
  const dir = mkdtempSync(join(scratch, `${kind}-`));
  const file = dataFile ?? join(dir, 'db.json');
  if (kind === 'json-server' && !dataFile) writeFileSync(file, JSON.stringify({ configs: [], participants: [] }));
  const server = await startServer(kind, { port: nextPort++, dataFile: file });
  if (!dataFile) (results.coldStarts[kind] ??= []).push(server.coldStartMs);
  storeFiles.set(server.pid, file);
  return server;
}

/**
 * Kills fruxon-mock with SIGKILL right after the create run, restarts it on the same file, and counts the
 * configs it has: every create that was answered 2xx must be there.
 */
async function checkDurability(server: RunningServer, measurement: Measurement): Promise<Results['durability']> {
  const file = storeFileOf(server);
  await server.crash();
  const restarted = await startServer('fruxon-mock', { port: nextPort++, dataFile: file });
  try {
    const res = await fetch(`${restarted.origin}/v1/tenants/bench-create/integrations/slack/configs`, { headers: HEADERS });
    const stored = ((await res.json()) as unknown[]).length;
    log(`  durability: ${measurement.acknowledged} creates acknowledged, ${stored} stored after SIGKILL and restart`);
    return { acknowledged: measurement.acknowledged, stored, restartMs: restarted.coldStartMs };
  } finally {
    await restarted.stop();
  }
}

const storeFiles = new Map<number, string>();
function storeFileOf(server: RunningServer): string {
  return storeFiles.get(server.pid)!;
}

async function growFruxon(size: number): Promise<GrowthRow> {
  const dir = mkdtempSync(join(scratch, `growth-${size}-`));
  const file = join(dir, 'db.json');
  const fileBytesBefore = size > 0 ? writePreloadedStore(file, size) : 0;
  const server = await startServer('fruxon-mock', { port: nextPort++, dataFile: file });
  const rssAfterStartMb = server.rssMb();
  try {
    const create = await measure(server.origin, [{ method: 'POST', path: GROWTH_CONFIGS, body: CONFIG_BODY }], GROWTH_LOAD, server.pid);
    const get = await measure(server.origin, [{ method: 'GET', path: await readBackPath(server, size) }], TIMED_GROWTH_LOAD, server.pid);
    const row: GrowthRow = {
      kind: 'fruxon-mock',
      size,
      startMs: server.coldStartMs,
      create,
      get,
      rssAfterStartMb,
      peakRssMb: server.peakRssMb(),
      fileBytesBefore,
      fileBytesAfter: 0,
    };
    await server.stop();
    row.fileBytesAfter = sizeOf(file) + sizeOf(`${file}.journal`);
    row.atSize = await memoryAtSize(size);
    log(`  growth ${size}: create ${describe(create)}; get ${describe(get)}; peak RSS ${row.peakRssMb.toFixed(0)} MB; at this size ${row.atSize.peakRssMb.toFixed(0)} MB`);
    return row;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Peak RSS while the store holds about `size` records: a fresh server on a freshly written store of that
 * size answers gets for the usual time (reads add nothing), then AT_SIZE_CREATES creates. The growth runs
 * above add up to 3 x GROWTH_REQUESTS records, so their peak is that of a store up to 30,000 records larger.
 */
async function memoryAtSize(size: number): Promise<NonNullable<GrowthRow['atSize']>> {
  const dir = mkdtempSync(join(scratch, `at-size-${size}-`));
  const file = join(dir, 'db.json');
  if (size > 0) writePreloadedStore(file, size);
  const server = await startServer('fruxon-mock', { port: nextPort++, dataFile: file });
  try {
    const get = await measure(server.origin, [{ method: 'GET', path: await readBackPath(server, size) }], TIMED_GROWTH_LOAD, server.pid);
    const perRound = Math.ceil(AT_SIZE_CREATES / (GROWTH_LOAD.rounds + 1));
    await measure(server.origin, [{ method: 'POST', path: GROWTH_CONFIGS, body: CONFIG_BODY }], { ...GROWTH_LOAD, requestsPerRound: perRound }, server.pid);
    return { peakRssMb: server.peakRssMb(), creates: perRound * (GROWTH_LOAD.rounds + 1), get };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function growJsonServer(size: number): Promise<GrowthRow> {
  const dir = mkdtempSync(join(scratch, `json-server-growth-${size}-`));
  const file = join(dir, 'db.json');
  const fileBytesBefore = writePreloadedJsonServerDb(file, size);
  const server = await startServer('json-server', { port: nextPort++, dataFile: file });
  try {
    const body = JSON.stringify({ tenant: 'bench-growth', integrationId: 'slack', displayName: 'Bench workspace' });
    const create = await measure(server.origin, [{ method: 'POST', path: '/configs', body }], TIMED_GROWTH_LOAD, server.pid);
    const row: GrowthRow = {
      kind: 'json-server',
      size,
      startMs: server.coldStartMs,
      create,
      get: undefined,
      rssAfterStartMb: Number.NaN,
      peakRssMb: server.peakRssMb(),
      fileBytesBefore,
      fileBytesAfter: 0,
    };
    await server.stop();
    row.fileBytesAfter = sizeOf(file);
    log(`  json-server growth ${size}: create ${describe(create)}`);
    return row;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `startMock()` and `reset()`, timed by bench/in-process.ts in a fresh process. */
function measureInProcess(): Results['inProcess'] {
  const output = execFileSync(process.execPath, [join(ROOT, 'dist/bench/in-process.js')], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop()!) as Results['inProcess'];
}

const CONFIG_BODY = JSON.stringify({ displayName: 'Bench workspace', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } });

const GROWTH_CONFIGS = '/v1/tenants/bench-growth/integrations/slack/configs';

/** What a growth run's gets read: a preloaded config (tenant-1, sequence 1) when there is one, else one created now. */
async function readBackPath(server: RunningServer, size: number): Promise<string> {
  if (size > 0) return `/v1/tenants/tenant-1/integrations/slack/configs/${new Generator(7).uuid(1)}`;
  const res = await fetch(server.origin + GROWTH_CONFIGS, { method: 'POST', headers: HEADERS, body: CONFIG_BODY });
  return `${GROWTH_CONFIGS}/${((await res.json()) as { id: string }).id}`;
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function describe(m: Measurement): string {
  return `${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, max ${m.max} ms, errors ${m.errors}, others' CPU ${(m.background * 100).toFixed(0)}%`;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(scratch, { recursive: true, force: true }));
