#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { FixtureError } from './catalog/load.js';
import { USAGE, UsageError, parseOptions, type ServerOptions } from './config.js';
import { DemoError } from './demo.js';
import { AccessOptionsError } from './control/access.js';
import { BaselineError, startServer, type RunningServer } from './server.js';
import { PACKAGE_ROOT } from './spec.js';
import { StoreFileError, StoreLockedError } from './store/store.js';

/** Subcommands, loaded only when named so the server's start stays lean. */
const SUBCOMMANDS: Record<string, () => Promise<{ main: (argv: string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream) => Promise<number>; usage: string }>> = {
  conformance: async () => {
    const m = await import('./conformance/cli.js');
    return { main: m.conformanceMain, usage: m.CONFORMANCE_USAGE };
  },
  'import-catalog': async () => {
    const m = await import('./catalog/import-catalog.js');
    return { main: m.importCatalogMain, usage: m.IMPORT_USAGE };
  },
};

async function runSubcommand(name: string, argv: string[]): Promise<void> {
  const command = await SUBCOMMANDS[name]!();
  try {
    process.exitCode = await command.main(argv, process.env, process.stdout);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fruxon-mock ${name}: ${error.message}\n\n${command.usage}`);
    process.exitCode = 2;
  }
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) {
    await runSubcommand(first, rest);
    return;
  }
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (options === 'version') {
    process.stdout.write(`${version()}\n`);
    return;
  }
  const server = await startServer(options);
  process.stdout.write(banner(server, options));
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`fruxon-mock: ${signal} received, closing\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`fruxon-mock: failed to close cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What a developer needs at start: links that answer, where the state lives, and how browsers may call. */
function banner(server: RunningServer, options: ServerOptions): string {
  const cors =
    options.corsOrigins.length === 0 ? 'off (--cors off): browsers on other origins cannot call /v1'
      : options.corsOrigins.includes('*') ? 'any origin may call /v1 (--cors to narrow it)'
        : `only ${options.corsOrigins.join(', ')} may call /v1`;
  return [
    `fruxon-mock ${version()} listening on ${server.url}`,
    ...networkUrls(options.host, server.port).map((url) => `  on the network: ${url}`),
    `  API:           ${server.url}/v1/tenants/acme/integrations (any bearer token${options.jwtSecret ? ' is not enough: --jwt-secret is set' : ''})`,
    `  inspector:     ${server.url}/__mock (store, request log, faults and stubs, reset)`,
    `  contract:      ${server.url}/__mock/openapi.json`,
    `  CORS:          ${cors}`,
    `  store: ${server.storeFile ?? 'in memory (nothing is written)'}`,
    ...(typeof options.baseline === 'string' ? [`  baseline: ${options.baseline} (reset goes back to it)`] : []),
    ...(options.demo ? [`  demo: tenant acme (reset goes back to it); try ${server.url}/v1/tenants/acme/participants`] : []),
    `  operations: ${server.operationCount}, validation: ${options.validation}, seed: ${options.seed}`,
    ...(options.latency.delay || options.latency.jitter ? [`  latency: ${options.latency.delay} ms + up to ${options.latency.jitter ?? 0} ms`] : []),
    `  agents: a deleted agent can be restored for ${options.agentDeleteGrace} ms${humanSpan(options.agentDeleteGrace)}`,
    `  log: ${options.log ? 'one line per request (--no-log to stop)' : 'off'}`,
    ...controlTokenLines(server),
    '',
  ].join('\n');
}

/** ` (7 days)` for a span of whole days, hours or minutes; empty otherwise. */
function humanSpan(ms: number): string {
  for (const [unit, size] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]] as const) {
    if (ms >= size && ms % size === 0) return ` (${ms / size} ${unit}${ms === size ? '' : 's'})`;
  }
  return '';
}

/** On a wildcard address, the URLs other machines reach it at: one per non-internal IPv4 interface. */
function networkUrls(host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal && entry.family === 'IPv4')
    .map((entry) => `http://${entry.address}:${port}`);
}

/** A generated control token is printed once, here; a given one never is. */
function controlTokenLines(server: { controlToken: string | undefined; controlTokenGenerated: boolean }): string[] {
  if (server.controlTokenGenerated) {
    return [`  control token: ${server.controlToken} (generated for this run; /__mock needs Authorization: Bearer <token>)`];
  }
  return server.controlToken ? ['  control token: as given (/__mock needs Authorization: Bearer <token>)'] : [];
}

// Every refusal is one line on stderr: a bad option or value, and a store or baseline it cannot use, exit 2.
main().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof AccessOptionsError) {
    process.stderr.write(`fruxon-mock: ${oneLine(error.message)} (fruxon-mock --help lists the options)\n`);
    process.exit(2);
  }
  if (error instanceof StoreFileError || error instanceof StoreLockedError || error instanceof BaselineError || error instanceof DemoError) {
    process.stderr.write(`fruxon-mock: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof FixtureError) {
    process.stderr.write(`fruxon-mock: ${error.message}\n`);
    process.exit(1);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    process.stderr.write(`fruxon-mock: cannot listen: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // A --host that names no address of this machine.
  if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
    process.stderr.write(`fruxon-mock: cannot listen on that --host: ${(error as Error).message}\n`);
    process.exit(2);
  }
  // A stack is for whoever debugs the mock; FRUXON_MOCK_DEBUG=1 shows it.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`fruxon-mock: ${process.env.FRUXON_MOCK_DEBUG ? ((error as Error).stack ?? message) : oneLine(message)}\n`);
  process.exit(1);
});

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
