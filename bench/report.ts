import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { LoadSettings, Measurement } from './load.js';
import { ROOT, type ServerKind } from './servers.js';

export type Run = {
  workload: string;
  /** One request per operation, where the p99 target applies. */
  single: boolean;
  kind: ServerKind;
  measurement: Measurement | undefined;
  peakRssMb: number;
};

export type GrowthRow = {
  kind: ServerKind;
  size: number;
  startMs: number;
  create: Measurement;
  get: Measurement | undefined;
  /** VmRSS once the server first answered 200 with this store. */
  rssAfterStartMb: number;
  peakRssMb: number;
  fileBytesBefore: number;
  fileBytesAfter: number;
  /** fruxon-mock: a fresh server at this size serving gets, then `creates` creates (bench/run.ts, memoryAtSize). */
  atSize?: { peakRssMb: number; creates: number; get: Measurement };
};

export type Results = {
  quick: boolean;
  load: LoadSettings;
  runs: Run[];
  coldStarts: Partial<Record<ServerKind, number[]>>;
  growth: GrowthRow[];
  /** Requests per round (and warm-up) of fruxon-mock's growth create runs. */
  growthRequests: number;
  durability: { acknowledged: number; stored: number; restartMs: number } | undefined;
  /** The programmatic API, measured in a process of its own (bench/in-process.ts). */
  inProcess?: { importMs: number; firstStartMs: number; laterStartMs: number; resetMs: number; resetRecords: number };
  elapsedSec?: number;
};

function versionOf(pkg: string): string {
  const manifest = pkg === 'fruxon-mock' ? `${ROOT}/package.json` : `${ROOT}/node_modules/${pkg}/package.json`;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : 'n/a');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The Markdown report: machine, versions, the table, ratios, cold starts, growth, and the targets. */
export function renderReport(results: Results): string {
  const rps = (workload: string, kind: ServerKind) =>
    results.runs.find((r) => r.workload === workload && r.kind === kind)?.measurement?.rps ?? Number.NaN;
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);

  add(
    '# Benchmark results',
    '',
    `Written by \`npm run bench\`${results.quick ? ' --quick' : ''} on ${new Date().toISOString().slice(0, 10)} ` +
      `(${fmt(results.elapsedSec ?? Number.NaN)} s in all). Each server runs as its own process on 127.0.0.1, ` +
      `started fresh for each workload; autocannon drives it from the bench process with ` +
      `${results.load.connections} connections: ${results.load.warmupSec} s of warm-up, then ${results.load.rounds} measured ` +
      `round(s) of ${results.load.durationSec} s, each after waiting up to ${results.load.quietWaitMs / 1000} s for other processes to go quiet; ` +
      'the fastest round is reported (errors count over all rounds). A workload\'s servers run side by side and take their rounds ' +
      'in turn (fruxon-mock, Prism, json-server, bare Express, then again), so a ratio compares rounds taken seconds apart. The machine is shared: the "others\' CPU" column is the share ' +
      'of all cores that processes other than the server and the bench used during the reported round.',
    '',
    '## Machine and versions',
    '',
    `- ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`,
    `- fruxon-mock ${versionOf('fruxon-mock')} (express ${versionOf('express')}, express-openapi-validator ${versionOf('express-openapi-validator')}, lowdb ${versionOf('lowdb')}), ` +
      'on a real lowdb file with the journal, every request validated against the spec',
    `- Prism (@stoplight/prism-cli) ${versionOf('@stoplight/prism-cli')}: \`prism mock spec/fruxon.yaml -v warn\` (static examples, request validation on, quieter logging than its default)`,
    `- json-server ${versionOf('json-server')} on an equivalent \`configs\`/\`participants\` db.json (lowdb underneath, whole file rewritten per write, no validation)`,
    `- bare Express ${versionOf('express')} answering the same routes and JSON shapes from a Map, hosted with \`app.listen\`: no validation, no auth, no persistence (bench/bare-express.ts)`,
    `- autocannon ${versionOf('autocannon')}`,
    '',
    '## Throughput and latency',
    '',
    'Errors are non-2xx answers, socket errors and timeouts. Peak RSS is the server process\'s VmHWM at the end of the run.',
    'Ratios compare fruxon-mock\'s requests per second to the peer on the same workload.',
    '',
    '| workload | server | req/s | p50 ms | p99 ms | max ms | errors | peak RSS MB | others\' CPU | fruxon-mock / this |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const run of results.runs) {
    const m = run.measurement;
    const ratio = run.kind === 'fruxon-mock' ? '' : pct(rps(run.workload, 'fruxon-mock') / rps(run.workload, run.kind));
    add(
      m
        ? `| ${run.workload} | ${run.kind} | ${fmt(m.rps)} | ${m.p50} | ${m.p99} | ${m.max} | ${m.errors} | ${fmt(run.peakRssMb)} | ${pct(m.background)} | ${ratio} |`
        : `| ${run.workload} | ${run.kind} | n/a | | | | | | | |`,
    );
  }
  add('', 'n/a: the server has no such operation (json-server has no publish or testTool).');

  add('', '## Cold start', '', 'From spawning the process to its first 200, with the shipped fixtures and an empty store.', '');
  add('| server | median ms | min ms | max ms | starts |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [kind, starts] of Object.entries(results.coldStarts)) {
    add(`| ${kind} | ${fmt(median(starts))} | ${fmt(Math.min(...starts))} | ${fmt(Math.max(...starts))} | ${starts.length} |`);
  }

  const d = results.durability;
  if (d) {
    add(
      '',
      '## Durability',
      '',
      `Right after the create-config run, fruxon-mock was killed with SIGKILL (no flush, no close) and restarted on the same file: ` +
        `${d.acknowledged} creates had been answered 200, ${d.stored} configs were there (restart with recovery: ${fmt(d.restartMs)} ms). ` +
        (d.stored >= d.acknowledged ? 'No acknowledged write was lost.' : '**Acknowledged writes were lost.**'),
    );
  }

  add(
    '',
    '## Growth',
    '',
    'Create, then get, with records already stored (a preloaded store file); start is process start to first 200 with that file.',
    `Each growth run has at most two measured rounds after the same warm-up. fruxon-mock's create runs send ${results.growthRequests} requests per round and for the warm-up, so each size gets the same number of records added (its figures are for the stated size plus at most ${3 * results.growthRequests}); json-server's and the get runs last the usual time.`,
    'The file size after is the store file plus journal once the server was stopped.',
    'Peak RSS is over those create and get runs, so for a store grown by up to that many records. Peak RSS at this size is',
    'from a second, fresh server on a store of the stated size: the same get run, then 1,000 creates (the store ends at most 1,000 larger).',
    '',
    '| server | records stored | start ms | create req/s | create p99 ms | create vs empty | get req/s | get p99 ms | RSS after start MB | peak RSS MB | peak RSS at this size MB | file before MB | file after MB | others\' CPU (create) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of results.growth) {
    const empty = results.growth.find((r) => r.kind === row.kind && r.size === 0)?.create.rps ?? Number.NaN;
    add(
      `| ${row.kind} | ${row.size} | ${fmt(row.startMs)} | ${fmt(row.create.rps)} | ${row.create.p99} | ${pct(row.create.rps / empty)} | ` +
        `${row.get ? fmt(row.get.rps) : 'n/a'} | ${row.get ? row.get.p99 : 'n/a'} | ${fmt(row.rssAfterStartMb)} | ${fmt(row.peakRssMb)} | ${row.atSize ? fmt(row.atSize.peakRssMb) : 'n/a'} | ${mb(row.fileBytesBefore)} | ${mb(row.fileBytesAfter)} | ${pct(row.create.background)} |`,
    );
  }

  add('', '## Targets', '', 'From issue 14 §3. With 100,000 records the figures are reported above, with no target.', '', '| target | figure | met |', '| --- | --- | --- |');
  for (const target of targets(results, rps)) add(`| ${target.name} | ${target.figure} | ${target.met ? 'met' : '**not met**'} |`);
  add(READING_THE_FIGURES);
  add(...latencyTable(results));
  return `${lines.join('\n')}\n`;
}

/**
 * p99 next to the mean latency each closed-loop run implies (connections / throughput): with every connection
 * sending its next request as soon as the last is answered, the mean is set by throughput alone, and the
 * ratio shows how much of the tail is queueing every server has and how much is the server's own stalls.
 */
function latencyTable(results: Results): string[] {
  const lines = [
    `| workload | fruxon-mock mean ms | fruxon-mock p99 ms | p99 / mean | bare Express mean ms | bare Express p99 ms | p99 / mean | req/s for a 10 ms p99 at fruxon-mock's ratio |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const meanMs = (m: Measurement) => (results.load.connections / m.rps) * 1000;
  for (const run of results.runs.filter((r) => r.kind === 'fruxon-mock' && r.single && r.measurement)) {
    const mock = run.measurement!;
    const express = results.runs.find((r) => r.workload === run.workload && r.kind === 'express')?.measurement;
    const ratio = mock.p99 / meanMs(mock);
    const needed = (results.load.connections * 1000 * ratio) / 10;
    lines.push(
      `| ${run.workload} | ${fmt(meanMs(mock), 1)} | ${mock.p99} | ${fmt(ratio, 1)} | ${express ? fmt(meanMs(express), 1) : 'n/a'} | ` +
        `${express ? express.p99 : 'n/a'} | ${express ? fmt(express.p99 / meanMs(express), 1) : 'n/a'} | ${fmt(needed)} |`,
    );
  }
  return lines;
}

type Target = { name: string; figure: string; met: boolean };

function targets(results: Results, rps: (workload: string, kind: ServerKind) => number): Target[] {
  const create = rps('create config', 'fruxon-mock');
  const get = rps('get config', 'fruxon-mock');
  const createRun = results.runs.find((r) => r.workload === 'create config' && r.kind === 'fruxon-mock')?.measurement;
  const singles = results.runs.filter((r) => r.kind === 'fruxon-mock' && r.measurement && r.single);
  const worst = singles.reduce((a, r) => (r.measurement!.p99 > (a?.measurement!.p99 ?? -1) ? r : a), singles[0]);
  const growth = results.growth.filter((r) => r.kind === 'fruxon-mock');
  const empty = growth.find((r) => r.size === 0);
  const tenK = growth.find((r) => r.size === 10_000);
  const cold = median(results.coldStarts['fruxon-mock'] ?? []);
  const durable = results.durability ? results.durability.stored >= results.durability.acknowledged : false;
  const inProcess = results.inProcess;
  const times = (a: number, b: number) => `${fmt(a)} vs ${fmt(b)} req/s = ${fmt(a / b, 2)}×`;
  return [
    { name: 'create config ≥ 3× Prism', figure: times(create, rps('create config', 'prism')), met: create >= 3 * rps('create config', 'prism') },
    { name: 'get config ≥ 5× Prism', figure: times(get, rps('get config', 'prism')), met: get >= 5 * rps('get config', 'prism') },
    {
      name: 'create config ≥ 35% of bare Express (app.listen), validated and durable before 2xx',
      figure: `${pct(create / rps('create config', 'express'))}; ${createRun?.errors ?? 'n/a'} errors; SIGKILL check ${durable ? 'passed' : 'failed'}`,
      met: create >= 0.35 * rps('create config', 'express') && createRun?.errors === 0 && durable,
    },
    { name: 'get config ≥ 50% of bare Express (app.listen)', figure: pct(get / rps('get config', 'express')), met: get >= 0.5 * rps('get config', 'express') },
    {
      name: 'p99 ≤ 10 ms at 16 connections, every single-request workload',
      figure: worst ? `worst: ${worst.workload} ${worst.measurement!.p99} ms` : 'n/a',
      met: singles.length > 0 && singles.every((r) => r.measurement!.p99 <= 10),
    },
    { name: 'cold start of the CLI to first 200 < 1 s', figure: `median ${fmt(cold)} ms`, met: cold < 1000 },
    {
      name: 'startMock() < 100 ms after the import',
      figure: inProcess ? `first ${fmt(inProcess.firstStartMs, 1)} ms, later median ${fmt(inProcess.laterStartMs, 1)} ms (import ${fmt(inProcess.importMs)} ms)` : 'n/a',
      met: Boolean(inProcess && inProcess.firstStartMs < 100),
    },
    {
      name: 'reset() < 5 ms with 1,000 records',
      figure: inProcess ? `median ${fmt(inProcess.resetMs, 2)} ms` : 'n/a',
      met: Boolean(inProcess && inProcess.resetMs < 5),
    },
    {
      name: 'create with 10,000 records ≥ 80% of empty',
      figure: empty && tenK ? `${fmt(tenK.create.rps)} vs ${fmt(empty.create.rps)} req/s = ${pct(tenK.create.rps / empty.create.rps)}` : 'n/a',
      met: Boolean(empty && tenK && tenK.create.rps >= 0.8 * empty.create.rps),
    },
    {
      name: 'peak RSS with 10,000 records ≤ 150 MB',
      figure: tenK?.atSize
        ? `${fmt(tenK.atSize.peakRssMb)} MB serving gets, then ${tenK.atSize.creates} creates; ${fmt(tenK.peakRssMb)} MB over the growth runs, ` +
          `whose creates grow the store to up to ${fmt(10_000 + 3 * results.growthRequests)} records (${fmt(tenK.rssAfterStartMb)} MB after start)`
        : 'n/a',
      met: Boolean(tenK?.atSize && tenK.atSize.peakRssMb <= 150),
    },
  ];
}

/** What the figures of the targets that were hardest to meet come from, measured while building this bench. */
const READING_THE_FIGURES = `
## Reading the figures

- **Bare Express** is hosted the usual way (\`app.listen\`) and answers the same routes and JSON shapes from a
  Map: no validation, no auth, no persistence, no request log. On top of that a get pays for the request
  log, route matching (404/405), bearer auth, the fault check, express-openapi-validator's request
  validation and the view layer.
- **Creates.** A create is answered once its change is on disk: the server sits idle part of each round
  waiting on \`fdatasync\`, which bare Express, holding records in a Map, never does.
- **p99.** Each of the 16 connections sends its next request as soon as the last is answered, so the mean
  latency is set by throughput alone (16 / req/s); the table below sets p99 beside it.
- **startMock()** is timed in a fresh process right after \`import('fruxon-mock')\`; the validator is built on
  the first API request of the process and then shared (docs/request-path.md), so it is not in this figure.
- **Noise.** This VM's speed drifts by ±10–20% from one minute to the next, for every server alike: each
  workload is run three times, its servers taking their rounds in turn, and a ratio compares rounds taken
  seconds apart.

Mean latency implied by throughput, next to p99, for the single-request workloads:
`;
