#!/usr/bin/env node
import { FixtureError } from './catalog/load.js';
import { USAGE, UsageError, parseOptions } from './config.js';
import { AccessOptionsError } from './control/access.js';
import { startServer } from './server.js';
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
  const server = await startServer(options);
  process.stdout.write(
    [
      `fruxon-mock listening on ${server.url}`,
      `  store: ${server.storeFile ?? 'in memory (nothing is written)'}`,
      `  operations: ${server.operationCount}`,
      `  seed: ${options.seed}`,
      `  control plane: ${server.url}/__mock (journal, faults, reset, state; spec at /__mock/openapi.json)`,
      `  validation: ${options.validation}`,
      `  agent delete grace: ${options.agentDeleteGrace} ms (deleted agents can be restored for that long)`,
      ...controlTokenLines(server),
      '',
    ].join('\n'),
  );
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

/** A generated control token is printed once, here; a given one never is. */
function controlTokenLines(server: { controlToken: string | undefined; controlTokenGenerated: boolean }): string[] {
  if (server.controlTokenGenerated) {
    return [`  control token: ${server.controlToken} (generated for this run; /__mock needs Authorization: Bearer <token>)`];
  }
  return server.controlToken ? ['  control token: as given (/__mock needs Authorization: Bearer <token>)'] : [];
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof AccessOptionsError) {
    process.stderr.write(`fruxon-mock: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // A store it cannot use (in use by another server, unwritable, invalid) is a usage error: 2.
  if (error instanceof StoreFileError || error instanceof StoreLockedError) {
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
  process.stderr.write(`fruxon-mock: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
