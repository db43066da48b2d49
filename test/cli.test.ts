import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, startCli } from './cli-process.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fruxon-cli-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the fruxon-mock CLI', () => {
  it('starts on a file, prints URL, store and operation count, keeps state, and exits 0 on SIGTERM', async () => {
    const db = join(tempDir(), 'nested', 'state.json');
    const first = startCli(['--port', '0', '--db', db, '--seed', '3']);
    const url = await first.url;
    expect(first.output()).toContain(`store: ${db}`);
    expect(first.output()).toMatch(/operations: \d+/);
    const created = await fetch(`${url}/v1/tenants/acme/integrations/slack/configs`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'from the CLI' }),
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startCli(['--port', '0', '--db', db, '--seed', '3']);
    const again = await fetch(`${await second.url}/v1/tenants/acme/integrations/slack/configs/${id}`, {
      headers: { Authorization: 'Bearer t' },
    });
    expect(((await again.json()) as { displayName: string }).displayName).toBe('from the CLI');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('prints help', () => {
    const res = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    for (const flag of ['--port', '--host', '--db', '--in-memory', '--seed', '--fixtures', '--help']) {
      expect(res.stdout).toContain(flag);
    }
  });

  it('rejects an unknown option or a bad port with exit code 2', () => {
    expect(spawnSync(process.execPath, [BIN, '--colour'], { encoding: 'utf8' }).status).toBe(2);
    const bad = spawnSync(process.execPath, [BIN, '--port', 'eighty'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port');
  });

  it('refuses a corrupt store file: names it, exits 2, leaves it untouched', () => {
    const db = join(tempDir(), 'state.json');
    writeFileSync(db, '{ not json');
    const res = spawnSync(process.execPath, [BIN, '--port', '0', '--db', db], { encoding: 'utf8', timeout: 10_000 });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(db);
    expect(readFileSync(db, 'utf8')).toBe('{ not json');
  });
});
