import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createApp } from './app.js';
import { loadFixtures } from './catalog/load.js';
import { DEFAULTS, type ServerOptions } from './config.js';
import { Generator, logicalClock, systemClock } from './generate/generator.js';
import { RouteTable } from './http/routes.js';
import { loadSpec } from './spec.js';
import { Store } from './store/store.js';

/** A running mock server. */
export type RunningServer = {
  url: string;
  port: number;
  /** The store file, or undefined in memory. */
  storeFile: string | undefined;
  operationCount: number;
  store: Store;
  /** Stops accepting connections, lets in-flight requests finish, and flushes and closes the store. */
  close: () => Promise<void>;
};

/**
 * Opens the store, loads the fixtures and listens: the process edge shared by the CLI and the
 * programmatic API. Throws StoreFileError or FixtureError with a message naming the file.
 */
export async function startServer(overrides: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const options = { ...DEFAULTS, ...overrides };
  const catalog = loadFixtures(options.fixtures);
  const storeFile = options.inMemory ? undefined : resolve(options.db);
  if (storeFile) mkdirSync(dirname(storeFile), { recursive: true });
  const store = storeFile ? await Store.openFile(storeFile) : await Store.openMemory();
  const app = createApp({
    store,
    catalog,
    generator: new Generator(options.seed),
    clock: options.time === undefined ? systemClock : logicalClock(options.time),
    options: { bodyLimit: options.bodyLimit, validateResponses: options.validateResponses },
  });
  const server = await listen(app, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    storeFile,
    operationCount: new RouteTable(loadSpec()).operationIds().length,
    store,
    close: () => close(server, store),
  };
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolvePromise(server));
    server.once('error', reject);
  });
}

async function close(server: Server, store: Store): Promise<void> {
  await new Promise<void>((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeIdleConnections();
  });
  await store.close();
}
