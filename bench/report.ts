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
    `- bare Express ${versionOf('express')} answering the same routes and JSON shapes from a Map: no validation, no auth, no persistence (bench/bare-express.ts)`,
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
    '',
    '| server | records stored | start ms | create req/s | create p99 ms | create vs empty | get req/s | get p99 ms | RSS after start MB | peak RSS MB | file before MB | file after MB | others\' CPU (create) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of results.growth) {
    const empty = results.growth.find((r) => r.kind === row.kind && r.size === 0)?.create.rps ?? Number.NaN;
    add(
      `| ${row.kind} | ${row.size} | ${fmt(row.startMs)} | ${fmt(row.create.rps)} | ${row.create.p99} | ${pct(row.create.rps / empty)} | ` +
        `${row.get ? fmt(row.get.rps) : 'n/a'} | ${row.get ? row.get.p99 : 'n/a'} | ${fmt(row.rssAfterStartMb)} | ${fmt(row.peakRssMb)} | ${mb(row.fileBytesBefore)} | ${mb(row.fileBytesAfter)} | ${pct(row.create.background)} |`,
    );
  }

  add('', '## Targets', '', '| target | figure | met |', '| --- | --- | --- |');
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
  const createRun = results.runs.find((r) => r.workload === 'create config' && r.kind === 'fruxon-mock')?.measurement;
  const singles = results.runs.filter((r) => r.kind === 'fruxon-mock' && r.measurement && r.single);
  const worst = singles.reduce((a, r) => (r.measurement!.p99 > (a?.measurement!.p99 ?? -1) ? r : a), singles[0]);
  const growth = results.growth.filter((r) => r.kind === 'fruxon-mock');
  const empty = growth.find((r) => r.size === 0);
  const largest = growth.reduce((a, r) => (r.size > (a?.size ?? -1) ? r : a), growth[0]);
  const cold = median(results.coldStarts['fruxon-mock'] ?? []);
  const durable = results.durability ? results.durability.stored >= results.durability.acknowledged : false;
  return [
    {
      name: 'create config ≥ 2× Prism',
      figure: `${fmt(create)} vs ${fmt(rps('create config', 'prism'))} req/s = ${fmt(create / rps('create config', 'prism'), 2)}×`,
      met: create >= 2 * rps('create config', 'prism'),
    },
    {
      name: 'create config ≥ 40% of bare Express, validated and durable before 2xx',
      figure: `${pct(create / rps('create config', 'express'))}; ${createRun?.errors ?? 'n/a'} errors; SIGKILL check ${durable ? 'passed' : 'failed'}`,
      met: create >= 0.4 * rps('create config', 'express') && createRun?.errors === 0 && durable,
    },
    {
      name: 'get config ≥ 60% of bare Express',
      figure: pct(rps('get config', 'fruxon-mock') / rps('get config', 'express')),
      met: rps('get config', 'fruxon-mock') >= 0.6 * rps('get config', 'express'),
    },
    {
      name: 'p99 ≤ 10 ms at 16 connections, every single-request workload',
      figure: worst ? `worst: ${worst.workload} ${worst.measurement!.p99} ms` : 'n/a',
      met: singles.length > 0 && singles.every((r) => r.measurement!.p99 <= 10),
    },
    {
      name: `create with ${largest?.size ?? '?'} records ≥ 70% of empty`,
      figure: empty && largest ? `${fmt(largest.create.rps)} vs ${fmt(empty.create.rps)} req/s = ${pct(largest.create.rps / empty.create.rps)}` : 'n/a',
      met: Boolean(empty && largest && largest.create.rps >= 0.7 * empty.create.rps),
    },
    {
      name: `peak RSS with ${largest?.size ?? '?'} records ≤ 250 MB`,
      figure: largest ? `${fmt(largest.peakRssMb)} MB under the create and get load (${fmt(largest.rssAfterStartMb)} MB after start)` : 'n/a',
      met: Boolean(largest && largest.peakRssMb <= 250),
    },
    { name: 'cold start to first 200 < 1 s', figure: `median ${fmt(cold)} ms`, met: cold < 1000 },
  ];
}

/** What the figures of the targets that were hardest to meet come from, measured while building this bench. */
const READING_THE_FIGURES = `
## Reading the figures

- **Get against bare Express.** Both servers construct their requests and responses with the app's
  prototypes already set (\`src/http/host.ts\`): Express's per-request \`Object.setPrototypeOf\` otherwise
  made V8 promote every request's objects into the old generation (with \`app.listen\`, as most Express apps
  are started, bare Express answered get config at ~9.4k req/s on this machine). Both write the same bytes
  per response in one \`writev\`, about a third of a get's CPU. On top of bare Express a get pays for the
  request journal, route matching (404/405), bearer auth, the fault check, express-openapi-validator's
  request validation and the view layer; fruxon-mock writes its replies straight to Node instead of through
  Express's \`res.json\` (about a fifth of a get).
- **Creates.** A create is answered once its journal line is on disk: the server sits idle part of each
  round waiting on \`fdatasync\`, which bare Express, holding records in a Map, never does.
- **p99.** Each of the 16 connections sends its next request as soon as the last is answered, so the mean
  latency is set by throughput alone (16 / req/s); on this 2-core machine p99 runs about two times the
  mean (table below). V8's full collections are part of the tail: the CLI's \`--heap-headroom\` (32 MB)
  makes them come every ~32 MB of promoted garbage; \`--heap-headroom 0\` (V8's own growth) gave p99s a
  millisecond or two lower on list and participant creates, and ~30 MB more peak RSS at 100k records.
- **Peak RSS.** Records are held as compact JSON outside the V8 heap (~115 bytes of heap per record), and
  the CLI keeps V8's old generation about 32 MB past what is live.
- **Noise.** This VM's speed drifts by ±10–20% from one minute to the next, for every server alike: each
  workload is run three times, its servers taking their rounds in turn, and a ratio compares rounds taken
  seconds apart.

Mean latency implied by throughput, next to p99, for the single-request workloads:
`;
