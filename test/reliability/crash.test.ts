import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeInvalidState } from '../../src/store/store.js';
import { startCli } from '../cli-process.js';

const H = { Authorization: 'Bearer crash-test', 'Content-Type': 'application/json' };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The console log is not what this measures: keep the child's stdout quiet under load.
const start = (db: string) => startCli(['--port', '0', '--db', db, '--no-log']);

/** Waits for the first API answer: a process's first request builds the spec validator (docs/request-path.md). */
async function served(server: ReturnType<typeof start>): Promise<string> {
  const url = await server.url;
  await fetch(`${url}/v1/tenants/acme/integrations`, { headers: H });
  return url;
}

/** What 2xx responses acknowledged; `maybe` is a later state whose request was cut off unanswered. */
type Acked = { id: string; displayName: string; maybe: string | null; versions: number[] };

/**
 * Streams creates, patches and publishes from `workers` parallel loops until `stop()` is called, and
 * records exactly what each 2xx acknowledged.
 */
function stream(base: string, workers: number) {
  const acked = new Map<string, Acked>();
  let running = true;
  let sent = 0;
  const call = async (method: string, path: string, body?: unknown) => {
    sent += 1;
    const res = await fetch(base + path, { method, headers: H, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  const loop = async (worker: number) => {
    for (let i = 0; running && i < 10_000; i++) {
      try {
        const created = await call('POST', '/integrations/slack/configs', { displayName: `w${worker}-${i}` });
        if (created.status !== 200) continue;
        const id = created.body!.id as string;
        const record: Acked = { id, displayName: `w${worker}-${i}`, maybe: `w${worker}-${i}-patched`, versions: [] };
        acked.set(id, record);
        const patched = await call('PATCH', `/integrations/slack/configs/${id}`, { displayName: `w${worker}-${i}-patched` });
        if (patched.status === 200) {
          record.displayName = `w${worker}-${i}-patched`;
          record.maybe = null;
        }
        const published = await call('POST', `/integrations/slack/configs/${id}:publish`);
        if (published.status === 200) record.versions.push(published.body!.version as number);
      } catch {
        return; // the server went away mid-request: that request was never acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    acked,
    sent: () => sent,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function readBack(url: string, acked: Map<string, Acked>) {
  for (const record of acked.values()) {
    const res = await fetch(`${url}/v1/tenants/acme/integrations/slack/configs/${record.id}`, { headers: H });
    expect(res.status, `acknowledged config ${record.id} is missing`).toBe(200);
    const body = (await res.json()) as { displayName: string; publishedRevisionId: string | null };
    expect([record.displayName, record.maybe]).toContain(body.displayName);
    if (record.versions.length > 0) expect(body.publishedRevisionId).not.toBeNull();
    const revisions = await fetch(`${url}/v1/tenants/acme/integrations/slack/configs/${record.id}/revisions`, { headers: H });
    const versions = ((await revisions.json()) as { version: number }[]).map((r) => r.version);
    for (const v of record.versions) expect(versions).toContain(v);
  }
}

describe('crashes and restarts', () => {
  it('loses no acknowledged write when killed with SIGKILL mid-stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-crash-'));
    dirs.push(dir);
    const db = join(dir, 'state.json');
    let total = 0;
    for (let round = 0; round < 3; round++) {
      const server = start(db);
      const url = await served(server);
      const load = stream(`${url}/v1/tenants/acme`, 8);
      // Killed once enough writes were acknowledged (not after a fixed time: a busy machine acknowledges fewer).
      const enough = 10 + round * 5;
      for (const until = Date.now() + 15_000; load.acked.size < enough && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20));
      server.child.kill('SIGKILL');
      await server.exited;
      await load.stop();
      total += load.acked.size;

      // The lowdb file (when the journal has been folded into it yet) is always a valid store.
      if (existsSync(db)) expect(describeInvalidState(JSON.parse(readFileSync(db, 'utf8')))).toBeUndefined();
      const again = start(db);
      await readBack(await again.url, load.acked);
      again.child.kill('SIGKILL');
      await again.exited;
    }
    expect(total).toBeGreaterThan(20);
    console.info(`crash: 3 SIGKILLs, ${total} acknowledged configs checked after restart`);
  });

  it('finishes in-flight requests on SIGTERM, loses nothing acknowledged, and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-term-'));
    dirs.push(dir);
    const db = join(dir, 'state.json');
    const server = start(db);
    const url = await served(server);
    const load = stream(`${url}/v1/tenants/acme`, 8);
    await new Promise((resolve) => setTimeout(resolve, 500));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await load.stop();
    expect(load.acked.size).toBeGreaterThan(5);
    console.info(`crash: SIGTERM under load, ${load.sent()} requests sent, ${load.acked.size} acknowledged configs checked`);
    const again = start(db);
    await readBack(await again.url, load.acked);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
