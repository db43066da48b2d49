import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, startCli } from './cli-process.js';

const H = { Authorization: 'Bearer cli-store', 'Content-Type': 'application/json' };
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fruxon-store-cli-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI to its exit (it must not start). */
const run = (db: string) => spawnSync(process.execPath, [BIN, '--port', '0', '--db', db], { encoding: 'utf8', timeout: 15_000 });

const create = async (url: string, displayName: string) =>
  fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName }) });
const list = async (url: string) =>
  ((await (await fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, { headers: H })).json()) as { displayName: string }[]).map((c) => c.displayName);

/** A one-line error on stderr, naming `what`, and exit code 2. */
function expectRefused(res: ReturnType<typeof run>, what: RegExp | string) {
  expect(res.status).toBe(2);
  const lines = res.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(what);
}

describe('one writer per store file', () => {
  it('refuses a second server on the same --db, naming the holder, and the first keeps serving', async () => {
    const db = join(tempDir(), 'state.json');
    const first = startCli(['--port', '0', '--db', db]);
    const url = await first.url;
    expect((await create(url, 'before')).status).toBe(200);

    const second = run(db);
    expectRefused(second, new RegExp(`in use by process ${first.child.pid} on ${hostname()} \\(started \\d{4}-`));

    // The first one still writes, and a clean stop keeps every write it acknowledged.
    expect((await create(url, 'after')).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const again = startCli(['--port', '0', '--db', db]);
    expect(await list(await again.url)).toEqual(['before', 'after']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('takes over the lock of a server that was killed, and says so', async () => {
    const db = join(tempDir(), 'state.json');
    const killed = startCli(['--port', '0', '--db', db]);
    const url = await killed.url;
    expect((await create(url, 'kept')).status).toBe(200);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(JSON.parse(readFileSync(`${db}.lock`, 'utf8')).pid).toBe(killed.child.pid);

    const next = startCli(['--port', '0', '--db', db]);
    expect(await list(await next.url)).toEqual(['kept']);
    expect(next.output()).toContain(`took over the lock of ${db} from process ${killed.child.pid}, which is gone`);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });
});

describe('a store it cannot write is refused at start', () => {
  it.each([
    ['under /proc', () => '/proc/fruxon-mock/state.json', /cannot use store file \/proc\/fruxon-mock\/state\.json: its folder/],
    ['in a read-only folder (sysfs refuses root too)', () => '/sys/fruxon-mock-state.json', /its folder cannot be written: EACCES/],
    ['that is a directory', () => tempDir(), /it is a directory/],
    ['whose folder is a regular file', () => {
      const parent = join(tempDir(), 'file');
      writeFileSync(parent, 'x');
      return join(parent, 'state.json');
    }, /its folder cannot be created: (ENOTDIR|EEXIST)/],
  ])('refuses a --db %s with one line and exit code 2', (_name, db, message) => {
    expectRefused(run(db()), message);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a --db in a folder without write permission (root can write there)', () => {
    const dir = join(tempDir(), 'read-only');
    mkdirSync(dir, { mode: 0o500 });
    expectRefused(run(join(dir, 'state.json')), /its folder cannot be written: EACCES/);
  });
});

describe('start-up validates what it loads', () => {
  const config = { id: 'c1', tenant: 'acme', integrationId: 'slack', displayName: 'x', parameters: {}, auth: null, authMap: [], sandboxMode: 'NONE', sandboxVariant: null, publishedRevisionId: null, createdBy: 'u', createdAt: 0, modifiedAt: 0 };

  it('refuses a store file with a config missing its fields, naming file, line and field, and leaves it untouched', () => {
    const db = join(tempDir(), 'state.json');
    const { displayName: _dropped, ...broken } = config;
    const text = JSON.stringify({ meta: { schemaVersion: 1, sequence: 1 }, configs: { c1: broken }, revisions: {}, oauthKeys: {} }, null, 2);
    writeFileSync(db, text);
    const res = run(db);
    expectRefused(res, `cannot use store file ${db}: line 7: configs["c1"].displayName is missing`);
    expect(readFileSync(db, 'utf8')).toBe(text);
  });

  it('refuses a journal whose record has an authMap that is a string, naming its line, and leaves both files untouched', () => {
    const db = join(tempDir(), 'state.json');
    const journal = [
      JSON.stringify({ meta: { schemaVersion: 1, sequence: 1 }, ops: [['configs', 'c1', config]] }),
      JSON.stringify({ meta: { schemaVersion: 1, sequence: 1 }, ops: [['configs', 'c1', { ...config, authMap: 'oops' }]] }),
      '',
    ].join('\n');
    writeFileSync(`${db}.journal`, journal);
    const res = run(db);
    expectRefused(res, `${db}.journal line 2: configs["c1"].authMap must be an array (it is the string "oops")`);
    expect(readFileSync(`${db}.journal`, 'utf8')).toBe(journal);
  });

  it('refuses a store file whose sequence would hand out one of its ids again', async () => {
    const db = join(tempDir(), 'state.json');
    const first = startCli(['--port', '0', '--db', db]);
    const id = ((await (await create(await first.url, 'kept')).json()) as { id: string }).id;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stale = readFileSync(db, 'utf8').replace('"sequence": 1', '"sequence": 0');
    writeFileSync(db, stale);
    expectRefused(run(db), `meta.sequence 0 would hand out configs["${id}"] again at sequence 1; set it to at least 1`);
    expect(readFileSync(db, 'utf8')).toBe(stale);
  });

  it('drops a torn last journal line and says so in one line', async () => {
    const db = join(tempDir(), 'state.json');
    const whole = JSON.stringify({ meta: { schemaVersion: 1, sequence: 1 }, ops: [['configs', 'c1', config]] });
    writeFileSync(`${db}.journal`, `${whole}\n${whole.slice(0, 30)}`);
    const server = startCli(['--port', '0', '--db', db]);
    const url = await server.url;
    expect(await list(url)).toEqual(['x']);
    expect(server.output().split('\n').filter((line) => line.includes('dropped'))).toEqual([
      `fruxon-mock: dropped the last line of ${db}.journal (30 bytes), a write cut short and never acknowledged`,
    ]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});

describe('files on disk', () => {
  it('writes the store file, its journal and its lock with mode 0600', async () => {
    const db = join(tempDir(), 'state.json');
    const server = startCli(['--port', '0', '--db', db]);
    const url = await server.url;
    expect((await create(url, 'secret')).status).toBe(200);
    expect(statSync(`${db}.journal`).mode & 0o777).toBe(0o600);
    expect(statSync(`${db}.lock`).mode & 0o777).toBe(0o600);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });
});
