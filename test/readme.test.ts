import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_USAGE } from '../src/catalog/import-catalog.js';
import { USAGE, parseOptions } from '../src/config.js';
import { CONFORMANCE_USAGE } from '../src/conformance/cli.js';
import { startMock } from '../src/index.js';
import { HTTP_METHODS, PACKAGE_ROOT, loadSpec } from '../src/spec.js';

const README = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const SCRIPTS = Object.keys((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/** Every line of the README's shell code blocks that runs this project (npm, npx fruxon-mock), continuations joined. */
function commands(): string[] {
  const blocks = [...README.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .flatMap((line) => line.split(/\s*&&\s*/))
    .filter((line) => /^(npm|npx fruxon-mock)\b/.test(line));
}

/** The words of a command, quotes removed (the README's values never hold spaces inside quotes that matter). */
const words = (line: string) => line.split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));

describe('the README', () => {
  it('stays short: at most about 250 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(260);
  });

  it('has commands to check', () => {
    expect(commands().length).toBeGreaterThan(5);
  });

  it.each(commands())('names only scripts and options that exist: %s', (line) => {
    const [tool, ...args] = words(line);
    // Shell variables ($TOKEN) stand for values the reader fills in.
    const options = (list: string[]) => list.filter((w) => !w.startsWith('$'));
    if (tool === 'npm') {
      const [verb, ...rest] = args;
      if (verb === 'ci' || verb === 'i' || verb === 'install' || verb === 'pack') return;
      const script = verb === 'run' ? rest[0]! : verb!;
      expect(SCRIPTS, `npm script '${script}'`).toContain(script);
      const dashes = rest.indexOf('--');
      if (script === 'start' && dashes >= 0) expect(() => parseOptions(options(rest.slice(dashes + 1)), {})).not.toThrow();
      return;
    }
    // npx fruxon-mock [conformance | import-catalog] options
    const [, subcommand, ...rest] = args;
    const usage = subcommand === 'conformance' ? CONFORMANCE_USAGE : subcommand === 'import-catalog' ? IMPORT_USAGE : USAGE;
    const flags = usage === USAGE ? args.slice(1) : rest;
    for (const flag of flags.filter((w) => w.startsWith('-'))) expect(usage, `${flag} in the usage of '${line}'`).toContain(flag.split('=')[0]!);
    if (usage === USAGE) expect(() => parseOptions(options(flags), {})).not.toThrow();
  });

  it('lists in its options table only options the CLI takes, and every option the CLI takes', () => {
    const table = [...README.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]!);
    const usage = [...new Set([...USAGE.matchAll(/(?<![\w-])(--[a-z][a-z-]+)/g)].map((m) => m[1]!))];
    expect(table.filter((flag) => !usage.includes(flag))).toEqual([]);
    expect(usage.filter((flag) => !table.includes(flag))).toEqual([]);
  });
});

/** The operations table: `METHOD path` (under /v1/tenants/{tenant}) and its status. */
function operationRows(): { operation: string; status: string }[] {
  return [...README.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) [^`]+)` \| ([^|]+?) \|/gm)].map((m) => ({ operation: m[1]!, status: m[2]! }));
}

describe('the README\'s operations table', () => {
  const spec = loadSpec();
  const inSpec = Object.entries(spec.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path.replace('/v1/tenants/{tenant}', '')}`),
  );

  it('shows every operation of the spec as mocked, and nothing as mocked that the spec lacks', () => {
    const rows = operationRows();
    const mocked = rows.filter((r) => r.status === 'mocked').map((r) => r.operation);
    expect(inSpec.filter((op) => !mocked.includes(op)), 'in the spec, not shown as mocked').toEqual([]);
    expect(mocked.filter((op) => !inSpec.includes(op)), 'shown as mocked, not in the spec').toEqual([]);
    for (const row of rows.filter((r) => r.status !== 'mocked')) {
      expect(row.status).toBe('not mocked');
      expect(inSpec, `${row.operation} is not mocked but the spec has it`).not.toContain(row.operation);
    }
  });
});

describe('the README\'s walkthrough', () => {
  it('runs as it stands against a mock: agent, Telegram config, publish, webhook URL, inbound message, approve, send', async () => {
    const block = /## Walkthrough[\s\S]*?```sh\n([\s\S]*?)```/.exec(README)![1]!;
    const mock = await startMock({ seed: 5 });
    try {
      const script = `set -euo pipefail\n${block.replace('http://127.0.0.1:4010', mock.url)}`;
      // curl runs in a child while the mock answers in this process, so the child must not block the event loop.
      const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('bash', ['-c', script]);
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c));
        child.stderr.on('data', (c: Buffer) => (err += c));
        child.on('exit', (code: number | null) => resolve({ status: code, stdout: out, stderr: err }));
      });
      expect(status, stderr).toBe(0);
      expect(stdout).toContain('"id":"concierge"');
      expect(stdout).toContain('"status":"PENDING"');
      expect(stdout.trim().endsWith('{"outcome":"SENT"}'), stdout).toBe(true);
      expect(stdout).not.toContain('123456:not-real');
      const participants = Object.values(mock.state().participants);
      expect(participants).toHaveLength(1);
      expect(participants[0]!.channels[0]!.address).toBe('555000111');
    } finally {
      await mock.close();
    }
  }, 30_000);
});
