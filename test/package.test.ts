import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/spec.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const TSC = join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** A script a user of the package would write: import, start, call, read the journal, close. */
const CONSUMER = `
import { startMock, mockClient } from 'fruxon-mock';
const mock = await startMock();
const res = await fetch(mock.url + '/v1/tenants/acme/integrations/slack/configs', {
  method: 'POST',
  headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
  body: JSON.stringify({ displayName: 'from the package' }),
});
const health = await (await fetch(mock.url + '/__mock/health')).json();
const viaClient = await mockClient(mock.url).journal();
console.log(JSON.stringify({ status: res.status, health: health.status, journal: mock.journal().length, viaClient: viaClient.length }));
await mock.close();
`;

const TYPED_CONSUMER = `
import { startMock, type LoggedRequest, type MockServer } from 'fruxon-mock';
const mock: MockServer = await startMock({ seed: 3, validation: 'warn' });
const entries: LoggedRequest[] = mock.journal({ status: 200 });
const code: number | null = entries[0]?.status ?? null;
void code;
// Fails the check if the declarations were lost and everything became any.
// @ts-expect-error port is a number
const wrong: string = mock.port;
void wrong;
await mock.close();
`;

/** npm pack, installed into an empty folder the way a user installs it: slow, so it runs once. */
describe('the packed package', () => {
  let work: string;
  let consumer: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'fruxon-mock-pack-'));
    const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', work], { cwd: PACKAGE_ROOT });
    const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
    consumer = join(work, 'consumer');
    await run('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(NPM, ['install', join(work, filename), '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: consumer });
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the build, its type declarations, the specs and the fixtures', () => {
    const installed = join(consumer, 'node_modules', 'fruxon-mock');
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/bin.js', 'spec/fruxon.yaml', 'spec/control.yaml', 'fixtures/agents.json']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(installed, 'test'))).toBe(false);
  });

  it('gives a working npx fruxon-mock --help', async () => {
    const { stdout } = await run(NPX, ['--no-install', 'fruxon-mock', '--help'], { cwd: consumer });
    expect(stdout).toContain('Usage: fruxon-mock [options]');
    expect(stdout).toContain('--validation MODE');
  });

  it('gives a working import that starts, records and closes a mock', async () => {
    writeFileSync(join(consumer, 'consumer.mjs'), CONSUMER);
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: consumer, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ status: 200, health: 'ok', journal: 1, viaClient: 1 });
  });

  it('type-checks a TypeScript consumer against the shipped declarations', async () => {
    writeFileSync(join(consumer, 'consumer.ts'), TYPED_CONSUMER);
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(PACKAGE_ROOT, 'node_modules', '@types'), 'consumer.ts'];
    await expect(run(process.execPath, [TSC, ...args], { cwd: consumer})).resolves.toBeDefined();
  });
});
