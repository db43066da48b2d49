import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoError, startMock, type MockServer } from '../src/index.js';
import { PACKAGE_ROOT } from '../src/spec.js';
import { BIN, startCli } from './cli-process.js';

const H = { Authorization: 'Bearer demo-viewer' };
/** Every credential the demo writes; none may come back in a response. */
const DEMO_SECRETS = ['xoxb-demo-not-a-real-token', '700000001:demo-bot-token', 'demo-auth-token', 'demo-password'];

const mocks: MockServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function demo(seed = 1): Promise<MockServer> {
  const mock = await startMock({ demo: true, seed });
  mocks.push(mock);
  return mock;
}

async function get(mock: MockServer, path: string): Promise<{ status: number; text: string; body: any }> {
  const res = await fetch(`${mock.url}/v1/tenants/acme${path}`, { headers: H });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

describe('--demo', () => {
  it('demo-tenant: starts with tenant acme: published configs with history, participants of every kind, an access request waiting', async () => {
    const mock = await demo();
    const slack = await get(mock, '/integrations/slack/configs');
    expect(slack.body).toHaveLength(1);
    const [workspace] = slack.body;
    expect(workspace.displayName).toBe('Acme workspace (production)');
    const revisions = await get(mock, `/integrations/slack/configs/${workspace.id}/revisions`);
    expect(revisions.body.map((r: { version: number }) => r.version).sort()).toEqual([1, 2]);
    const published = await get(mock, `/integrations/slack/configs/${workspace.id}/publishedRevision`);
    expect(published.body.version).toBe(2);
    expect((await get(mock, '/integrations/github/configs')).body[0].publishedRevisionId).toBeNull();

    const participants = (await get(mock, '/participants')).body;
    const items = Array.isArray(participants) ? participants : participants.items;
    expect(new Set(items.map((p: { kind: string }) => p.kind))).toEqual(new Set(['PERSON', 'GROUP', 'AI_AGENT']));
    const ada = items.find((p: { displayName: string }) => p.displayName === 'Ada Lovelace');
    expect(ada).toMatchObject({ agentIds: ['support_bot', 'triage_agent'], health: { reachable: true } });
    expect(ada.channels).toHaveLength(2);
    expect(items.find((p: { displayName: string }) => p.displayName.startsWith('Linus')).disabledAt).not.toBeNull();

    const requests = (await get(mock, '/participantAccessRequests?Status=PENDING')).body;
    expect(requests).toMatchObject([{ displayName: 'Margaret Hamilton', provider: 'telegram', agentId: 'support_bot', status: 'PENDING' }]);
  });

  it('never shows a credential it stored', async () => {
    const mock = await demo();
    const texts = [
      (await get(mock, '/integrations/slack/configs')).text,
      (await get(mock, '/integrations/telegram/configs')).text,
      (await get(mock, '/integrations/twilio/configs')).text,
      (await get(mock, '/integrations/email/configs')).text,
      await (await fetch(`${mock.url}/__mock/overview`)).text(),
      await (await fetch(`${mock.url}/__mock/state`)).text(),
    ];
    for (const secret of DEMO_SECRETS) for (const text of texts) expect(text).not.toContain(secret);
    expect(JSON.stringify(mock.state())).toContain('xoxb-demo-not-a-real-token');
  });

  it('is the same for the same seed and differs for another; a reset goes back to it', async () => {
    const [a, b, other] = [await demo(1), await demo(1), await demo(7)];
    expect(a.state()).toEqual(b.state());
    expect(Object.keys(other.state().configs)).not.toEqual(Object.keys(a.state().configs));
    const before = a.state();
    const created = await fetch(`${a.url}/v1/tenants/acme/participants`, { method: 'POST', headers: { ...H, 'Content-Type': 'application/json' }, body: '{"displayName":"Temp"}' });
    expect(created.status).toBe(200);
    await fetch(`${a.url}/v1/tenants/acme/participantAccessRequests`, { headers: H });
    await a.reset();
    expect(a.state()).toEqual(before);
  });

  it('fixtures without what the demo uses: startMock throws DemoError, the CLI says so in one line with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-demo-fixtures-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'integrations'));
    copyFileSync(join(PACKAGE_ROOT, 'fixtures', 'integrations', 'github.json'), join(dir, 'integrations', 'github.json'));
    copyFileSync(join(PACKAGE_ROOT, 'fixtures', 'agents.json'), join(dir, 'agents.json'));
    await expect(startMock({ demo: true, fixtures: dir })).rejects.toBeInstanceOf(DemoError);
    const cli = spawnSync(process.execPath, [BIN, '--demo', '--in-memory', '--fixtures', dir], { encoding: 'utf8', timeout: 15_000 });
    expect(cli.status).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toContain("cannot build the demo: POST /integrations/slack/configs answered 404");
  });

  it('the CLI takes --demo and prints it; --demo with --baseline is one line and exit 2; a store with records keeps them', async () => {
    const refused = spawnSync(process.execPath, [BIN, '--demo', '--baseline', 'x.json', '--in-memory'], { encoding: 'utf8', timeout: 15_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('--demo and --baseline');

    const dir = mkdtempSync(join(tmpdir(), 'fruxon-demo-'));
    dirs.push(dir);
    const db = join(dir, 'state.json');
    const first = startCli(['--demo', '--db', db, '--port', '0', '--no-log']);
    const url = await first.url;
    expect(first.output()).toContain('demo: tenant acme');
    const headers = { ...H, 'Content-Type': 'application/json' };
    await fetch(`${url}/v1/tenants/acme/participants`, { method: 'POST', headers, body: '{"displayName":"Kept across restarts"}' });
    first.child.kill('SIGTERM');
    await first.exited;
    const again = startCli(['--demo', '--db', db, '--port', '0', '--no-log']);
    const url2 = await again.url;
    const list = await (await fetch(`${url2}/v1/tenants/acme/participants`, { headers: H })).json();
    const names = (Array.isArray(list) ? list : list.items).map((p: { displayName: string }) => p.displayName);
    expect(names).toContain('Kept across restarts');
    expect(names).toContain('Ada Lovelace');
    again.child.kill('SIGTERM');
    await again.exited;
  }, 30_000);
});
