import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** The repository root (this file runs from dist/bench/). */
export const ROOT = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

export type ServerKind = 'fruxon-mock' | 'prism' | 'json-server' | 'express';

export const SERVER_KINDS: ServerKind[] = ['fruxon-mock', 'prism', 'json-server', 'express'];

export type RunningServer = {
  kind: ServerKind;
  origin: string;
  pid: number;
  /** From spawning the process to its first 200. */
  coldStartMs: number;
  /** The most memory the process has held so far (VmHWM), in MB. */
  peakRssMb: () => number;
  /** The memory the process holds now (VmRSS), in MB. */
  rssMb: () => number;
  stop: () => Promise<void>;
  /** SIGKILL: no chance to flush or close anything. */
  crash: () => Promise<void>;
};

export type StartOptions = {
  port: number;
  /** fruxon-mock: its lowdb store file. json-server: its db.json. */
  dataFile?: string;
};

const AUTH = 'Bearer bench';

/** The script each server runs, resolved from the installed packages. */
function commandOf(kind: ServerKind, options: StartOptions): string[] {
  const port = String(options.port);
  switch (kind) {
    case 'fruxon-mock':
      // `--no-log`: the console request log (on by default) is off, as Prism's is made quiet below.
      return [join(ROOT, 'dist/src/bin.js'), '--port', port, '--db', options.dataFile!, '--seed', '1', '--no-log'];
    case 'prism':
      // `-v warn`: Prism logs every request at the default level; quieter is its faster setting.
      return [binOf('@stoplight/prism-cli', 'prism'), 'mock', join(ROOT, 'spec/fruxon.yaml'), '-p', port, '-h', '127.0.0.1', '-v', 'warn'];
    case 'json-server':
      return [binOf('json-server', 'json-server'), options.dataFile!, '--port', port, '--host', '127.0.0.1'];
    case 'express':
      return [join(ROOT, 'dist/bench/bare-express.js'), port];
  }
}

function binOf(pkg: string, bin: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> };
  return join(dirname(manifest), typeof json.bin === 'string' ? json.bin : json.bin[bin]!);
}

/** The path that answers 200 once a server is ready. */
export function readinessPath(kind: ServerKind): string {
  return kind === 'json-server' ? '/configs' : '/v1/tenants/acme/integrations';
}

/** Starts a server as its own process and waits for its first 200 (at most 30 s). */
export async function startServer(kind: ServerKind, options: StartOptions): Promise<RunningServer> {
  const started = performance.now();
  const child = spawn(process.execPath, commandOf(kind, options), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const origin = `http://127.0.0.1:${options.port}`;
  const deadline = started + 30_000;
  while ((await status(`${origin}${readinessPath(kind)}`)) !== 200) {
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} did not answer 200 within 30 s (exit ${child.exitCode}): ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const coldStartMs = performance.now() - started;
  return {
    kind,
    origin,
    pid: child.pid!,
    coldStartMs,
    peakRssMb: () => memoryMb(child.pid!, 'VmHWM'),
    rssMb: () => memoryMb(child.pid!, 'VmRSS'),
    stop: () => stop(child, 'SIGTERM'),
    crash: () => stop(child, 'SIGKILL'),
  };
}

function status(url: string): Promise<number> {
  return new Promise((resolveStatus) => {
    const req = request(url, { headers: { Authorization: AUTH }, agent: false }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('error', () => resolveStatus(0));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}

function memoryMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Sends `signal` (then SIGKILL after 10 s); resolves once the process is gone. */
function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill(signal);
  });
}
