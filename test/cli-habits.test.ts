import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/spec.js';
import { BIN, startCli, type CliProcess } from './cli-process.js';

const H = { Authorization: 'Bearer cli-habits', 'Content-Type': 'application/json' };
const dirs: string[] = [];
const running: CliProcess[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fruxon-cli-habits-'));
  dirs.push(dir);
  return dir;
};
const start = (args: string[]) => {
  const cli = startCli(args);
  running.push(cli);
  return cli;
};
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 15_000 });
const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Waits until the output has a line matching `pattern`. */
async function lineMatching(cli: CliProcess, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = cli.output().split('\n').find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new Error(`no line matching ${pattern} in:\n${cli.output()}`);
}

describe('CLI habits', () => {
  it('prints its version with --version', () => {
    const res = run(['--version']);
    expect([res.status, res.stdout]).toEqual([0, `${version}\n`]);
  });

  it('takes -p for --port and -h for --help', async () => {
    expect(run(['-h']).stdout).toContain('Usage: fruxon-mock [options]');
    const cli = start(['-p', '0', '--in-memory']);
    expect(await cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('groups --help and lists every option', () => {
    const { stdout } = run(['--help']);
    const groups = ['Server:', 'Store:', 'Behaviour:', 'Control plane (/__mock):', 'Other:'];
    expect(groups.map((g) => stdout.indexOf(`\n${g}\n`))).toEqual([...groups.map((g) => stdout.indexOf(`\n${g}\n`))].sort((a, b) => a - b));
    for (const group of groups) expect(stdout).toContain(`\n${group}\n`);
    for (const flag of ['--port', '--host', '--public-url', '--trust-proxy', '--cors', '--body-limit', '--log', '--no-log', '--db', '--in-memory',
      '--baseline', '--seed', '--time', '--fixtures', '--validation', '--validate-responses', '--delay', '--jitter', '--jwt-secret',
      '--control-token', '--control-cors', '--allowed-hosts', '--journal-size', '--journal-bytes', '--help', '--version']) {
      expect(stdout, flag).toContain(flag);
    }
  });

  it.each([
    [['--colour'], "Unknown option '--colour'"],
    [['--port', 'eighty'], '--port must be a whole number'],
    [['--body-limit', 'huge'], "--body-limit must be a size such as 100kb, 1mb or 2048 (bytes), got 'huge'"],
    [['--validation', 'loose'], '--validation must be one of'],
    [['--delay', 'soon'], '--delay must be a whole number'],
    [['--jitter=-3'], '--jitter must be a whole number'],
    [['--jitter', '-3'], "Option '--jitter' argument is ambiguous"],
    [['--db', 'x.json', '--in-memory'], '--db and --in-memory cannot be used together'],
    [['--log', '--no-log'], '--log and --no-log cannot be used together'],
    [['--cors', ','], '--cors needs'],
    [['--control-cors', '*', '--control-token', 't'], '--control-cors'],
    [['--public-url', 'nope'], '--public-url must be an absolute http(s) URL'],
    [['--baseline', '/nonexistent/baseline.json', '--in-memory'], 'cannot use baseline /nonexistent/baseline.json: no such file'],
    [['--seed', '-1'], '--seed'],
    [['serve'], "Unexpected argument 'serve'"],
    [['--host', 'no-such-host.invalid', '--in-memory', '--control-token', 't'], 'cannot listen on that --host'],
  ])('refuses %j on one line with exit code 2, never a stack trace', (args, message) => {
    const res = run(['--port', '0', ...args]);
    expect(res.status, res.stderr).toBe(2);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines, res.stderr).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('store-file-kinds', () => {
  it('store-file-kinds: treats an empty --db file as a new store', async () => {
    const db = join(tempDir(), 'empty.json');
    writeFileSync(db, '');
    const cli = start(['--port', '0', '--db', db]);
    const url = await cli.url;
    const res = await fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName: 'first' }) });
    expect(res.status).toBe(200);
  });

  it('store-file-kinds: refuses a json-server db.json, saying it is not a fruxon-mock store, and leaves it untouched', () => {
    const db = join(tempDir(), 'db.json');
    const text = JSON.stringify({ posts: [{ id: '1', title: 'a title' }], comments: [], profile: { name: 'typicode' } }, null, 2);
    writeFileSync(db, text);
    const res = run(['--port', '0', '--db', db]);
    expect(res.status).toBe(2);
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(`cannot use store file ${db}: it is not a fruxon-mock store`);
    expect(res.stderr).toContain('posts, comments, profile');
    expect(readFileSync(db, 'utf8')).toBe(text);
  });
});

describe('console-request-log', () => {
  it('console-request-log: prints one line per request by default, with a 4xx\'s first validation error', async () => {
    const cli = start(['--port', '0', '--in-memory']);
    const url = await cli.url;
    expect(cli.output()).toContain('log: one line per request');
    await fetch(`${url}/v1/tenants/acme/integrations/slack`, { headers: H });
    expect(await lineMatching(cli, /^GET \/v1\/tenants\/acme\/integrations\/slack /)).toMatch(/^GET \/v1\/tenants\/acme\/integrations\/slack 200 \d+(\.\d)?ms getIntegration$/);
    await fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName: 'x', colour: 'red' }) });
    const rejected = await lineMatching(cli, /^POST /);
    expect(rejected).toMatch(/^POST \/v1\/tenants\/acme\/integrations\/slack\/configs 400 \d+(\.\d)?ms createIntegrationConfig - \S.*/);
    expect(rejected).toMatch(/ - colour: .*additional properties$/);
    await fetch(`${url}/v1/tenants/acme/nowhere`, { headers: H });
    expect(await lineMatching(cli, /nowhere/)).toMatch(/^GET \/v1\/tenants\/acme\/nowhere 404 .* - /);
    // A wrong base path is logged too; the control plane's own calls are not.
    await fetch(`${url}/v2/tenants/acme/integrations`, { headers: H });
    expect(await lineMatching(cli, /\/v2\//)).toMatch(/^GET \/v2\/tenants\/acme\/integrations 404 /);
    await fetch(`${url}/__mock/health`);
    await fetch(`${url}/v1/tenants/acme/integrations`, { headers: H });
    await lineMatching(cli, /^GET \/v1\/tenants\/acme\/integrations 200/);
    expect(cli.output()).not.toContain('GET /__mock/health');
  });

  it('console-request-log: says why a CORS preflight was refused, and names the rule that answered', async () => {
    const cli = start(['--port', '0', '--in-memory', '--cors', 'http://app.test']);
    const url = await cli.url;
    expect(cli.output()).toContain('CORS:          only http://app.test may call /v1');
    await fetch(`${url}/v1/tenants/acme/integrations`, { method: 'OPTIONS', headers: { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'GET' } });
    expect(await lineMatching(cli, /^OPTIONS /)).toMatch(/^OPTIONS \/v1\/tenants\/acme\/integrations 204 .* - preflight refused: origin http:\/\/evil\.test is not in --cors \(http:\/\/app\.test\)$/);
    await fetch(`${url}/v1/tenants/acme/integrations/slack`, { headers: { ...H, Prefer: 'code=404' } });
    expect(await lineMatching(cli, /\[Prefer\]/)).toMatch(/^GET \/v1\/tenants\/acme\/integrations\/slack 404 .* getIntegration \[Prefer\] - Injected by Prefer: code=404/);
  });

  it('prints nothing per request with --no-log', async () => {
    const cli = start(['--port', '0', '--in-memory', '--no-log']);
    const url = await cli.url;
    await fetch(`${url}/v1/tenants/acme/integrations`, { headers: H });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(cli.output()).toContain('log: off');
    expect(cli.output()).not.toMatch(/^GET /m);
  });
});

describe('the start banner', () => {
  it('links to pages that answer, and shows the CORS mode', async () => {
    const cli = start(['--port', '0', '--in-memory']);
    const url = await cli.url;
    expect(cli.output()).toContain('CORS:          any origin may call /v1');
    const links = [...new Set(cli.output().match(/http:\/\/\S+/g))];
    expect(links).toEqual(expect.arrayContaining([url, `${url}/__mock`, `${url}/__mock/openapi.json`, `${url}/v1/tenants/acme/integrations`]));
    for (const link of links.filter((l) => l !== url)) {
      expect((await fetch(link, { headers: H })).status, link).toBe(200);
    }
  });

  it('prints a reachable URL for --host 0.0.0.0', async () => {
    const cli = start(['--port', '0', '--in-memory', '--host', '0.0.0.0']);
    const url = await cli.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/v1/tenants/acme/integrations`, { headers: H })).status).toBe(200);
  });

  it('starts from --baseline FILE and shows it, with the latency of --delay', async () => {
    const dir = tempDir();
    const baseline = join(dir, 'baseline.json');
    const source = start(['--port', '0', '--in-memory', '--no-log']);
    const sourceUrl = await source.url;
    await fetch(`${sourceUrl}/v1/tenants/acme/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName: 'From the baseline' }) });
    writeFileSync(baseline, await (await fetch(`${sourceUrl}/__mock/state`)).text());

    const cli = start(['--port', '0', '--in-memory', '--baseline', baseline, '--delay', '100', '--no-log']);
    const url = await cli.url;
    expect(cli.output()).toContain(`baseline: ${baseline} (reset goes back to it)`);
    expect(cli.output()).toContain('latency: 100 ms + up to 0 ms');
    await fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName: 'Later' }) });
    await fetch(`${url}/__mock/reset`, { method: 'POST' });
    const started = Date.now();
    const list = (await (await fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, { headers: H })).json()) as { displayName: string }[];
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(list.map((c) => c.displayName)).toEqual(['From the baseline']);
  });
});
