/**
 * `node dist/bench/cpu.js [fruxon-mock|express|prism]...`: the server process's CPU time per request (utime +
 * stime from /proc) for get config and create config, at 16 connections, after a warm-up. Unlike requests
 * per second it hardly moves when other processes load the machine, so it compares servers on a shared one.
 * fruxon-mock runs on a store file as in `npm run bench`; the figure is its CPU, not its waits on the disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SERVER_KINDS, startServer, type ServerKind } from './servers.js';
import { HEADERS } from './workloads.js';

const REQUESTS = 8000;
const CONFIG_BODY = JSON.stringify({ displayName: 'Bench workspace', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } });

/** CPU the process has used, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function load(url: string, amount: number, method: 'GET' | 'POST', body?: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 16, amount, method, headers: HEADERS, ...(body ? { body } : {}) }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function measure(kind: ServerKind, port: number): Promise<void> {
  if (kind === 'json-server') return;
  const dir = mkdtempSync(join(tmpdir(), 'fruxon-cpu-'));
  const server = await startServer(kind, { port, dataFile: join(dir, 'db.json') });
  try {
    const base = `${server.origin}/v1/tenants/acme/integrations/slack/configs`;
    let path = `${base}/00000000-0000-4000-8000-000000000001`;
    if (kind !== 'prism') {
      const res = await fetch(base, { method: 'POST', headers: HEADERS, body: CONFIG_BODY });
      path = `${base}/${((await res.json()) as { id: string }).id}`;
    }
    const requests = kind === 'prism' ? REQUESTS / 4 : REQUESTS;
    const figures: string[] = [];
    for (const [name, method, url, body] of [['get', 'GET', path], ['create', 'POST', base, CONFIG_BODY]] as const) {
      await load(url, requests / 4, method, body);
      const before = cpuMs(server.pid);
      const result = await load(url, requests, method, body);
      figures.push(`${name} ${Math.round(((cpuMs(server.pid) - before) * 1000) / requests)} µs (${result.non2xx} non-2xx)`);
    }
    process.stdout.write(`${kind}: ${figures.join(', ')}\n`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const kinds = (process.argv.length > 2 ? process.argv.slice(2) : SERVER_KINDS) as ServerKind[];
let port = 4300;
for (const kind of kinds) await measure(kind, port++);
