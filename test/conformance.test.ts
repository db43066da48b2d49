import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../src/conformance/checks.js';
import { runConformance } from '../src/conformance/run.js';
import { startMock, type MockServer } from '../src/index.js';
import { RULES } from '../src/rules.js';
import { PACKAGE_ROOT } from '../src/spec.js';
import { BIN } from './cli-process.js';

const target = (baseUrl: string) => ({ baseUrl, token: 'conformance', tenant: 'acme', otherTenant: 'globex', agentId: 'support_bot' });

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({ seed: 7 });
});
afterAll(() => mock.close());

describe('fruxon-mock conformance', () => {
  it('has one check per rule of the ledger, and no check for a rule the ledger lacks', () => {
    const ruleIds = new Set(RULES.map((r) => r.id));
    expect(CHECKS.map((c) => c.rule).filter((id) => !ruleIds.has(id))).toEqual([]);
    expect(new Set(CHECKS.map((c) => c.rule)).size).toBe(CHECKS.length);
  });

  it('has a check for every rule whose source is docs or inferred', () => {
    const checked = new Set(CHECKS.map((c) => c.rule));
    expect(RULES.filter((r) => r.source !== 'mock' && !checked.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('passes every check against this mock, and leaves no record behind', async () => {
    const report = await runConformance({ target: target(mock.url), all: true });
    const failures = report.results.filter((r) => r.outcome === 'fail').map((r) => `${r.rule}: ${r.reason}`);
    expect(failures).toEqual([]);
    expect(report.results.filter((r) => r.outcome === 'skipped' && CHECKS.some((c) => c.rule === r.rule))).toEqual([]);
    expect(report.passed).toBe(CHECKS.length);
    expect(report.leftBehind).toEqual([]);
    const state = mock.state();
    expect(Object.keys(state.configs)).toEqual([]);
    expect(Object.keys(state.participants)).toEqual([]);
  });

  it('--read-only sends no write: the journal holds only reads', async () => {
    mock.clearJournal();
    const report = await runConformance({ target: target(mock.url), readOnly: true });
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThan(0);
    expect(mock.journal().map((e) => e.method)).toEqual(mock.journal().map(() => 'GET'));
  });

  it('fails exactly the broken rule when a server lets :testTool run before :publish', async () => {
    // A proxy in front of the mock that answers every :testTool as if the config were published.
    const proxy = await listen((req, res) => {
      if (req.method === 'POST' && req.url?.endsWith(':testTool')) {
        req.resume();
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ response: { ok: true } }));
        return;
      }
      const upstream = httpRequest(`${mock.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    try {
      const report = await runConformance({ target: target(proxy.url) });
      expect(report.results.filter((r) => r.outcome === 'fail').map((r) => r.rule)).toEqual(['tools-resolve-published-revision']);
      const broken = report.results.find((r) => r.rule === 'tools-resolve-published-revision')!;
      expect(broken.reason).toMatch(/:testTool before the first :publish should answer 400/);
    } finally {
      await proxy.close();
    }
  });

  it('fails most checks against a server that answers the spec examples (Prism), and says which', async () => {
    const prism = await startPrism();
    try {
      const report = await runConformance({ target: { ...target(prism.url), agentId: 'support_bot' } });
      // Half of the rules that have a check (ledger rules without one are reported as skipped).
      expect(report.failed).toBeGreaterThan(report.results.filter((r) => CHECKS.some((c) => c.rule === r.rule)).length / 2);
      expect(report.results.find((r) => r.rule === 'config-starts-as-draft')?.outcome).toBe('fail');
    } finally {
      prism.stop();
    }
  }, 60_000);

  it('the CLI exits 0 on a passing run, writes JUnit, and exits 2 for a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-conformance-'));
    try {
      const junit = join(dir, 'report.xml');
      const passed = await runCli(['conformance', '--base-url', mock.url, '--token', 't', '--tenant', 'acme', '--agent', 'support_bot', '--junit', junit]);
      expect(passed.status, passed.output).toBe(0);
      expect(passed.output).toMatch(/pass {2}config-starts-as-draft \(docs\)/);
      expect(passed.output).toMatch(new RegExp(`: ${CHECKS.length} pass, 0 fail, \\d+ skipped`));
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('<testcase classname="fruxon-conformance.docs" name="config-starts-as-draft"');
      expect(xml).toMatch(/failures="0"/);

      const usage = spawnSync(process.execPath, [BIN, 'conformance', '--tenant', 'acme'], { encoding: 'utf8' });
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/^fruxon-mock conformance: --base-url must be an http\(s\) URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs the CLI asynchronously, so the in-process mock keeps answering. */
function runCli(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (status) => resolve({ status, output }));
  });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startPrism(): Promise<{ url: string; stop: () => void }> {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@stoplight/prism-cli/package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin.prism!;
  const port = 4600 + Math.floor(Math.random() * 300);
  const child = spawn(process.execPath, [join(dirname(manifest), bin), 'mock', join(PACKAGE_ROOT, 'spec/fruxon.yaml'), '-p', String(port), '-h', '127.0.0.1']);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start: ${output}`)), 45_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Prism is listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', () => reject(new Error(`Prism exited: ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
