import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createApp } from './app.js';
import type { ServiceDeps } from './deps.js';
import { loadFixtures } from './catalog/load.js';
import { ControlState } from './control/control.js';
import { resolveControlAccess } from './control/access.js';
import { DEFAULTS, publicUrl, type ServerOptions } from './config.js';
import { Generator, logicalClock, systemClock } from './generate/generator.js';
import { hostClassesFor } from './http/host.js';
import { listenHostNames } from './http/listen-hosts.js';
import { Store } from './store/store.js';

/** A running mock server. */
export type RunningServer = {
  url: string;
  port: number;
  /** The store file, or undefined in memory. */
  storeFile: string | undefined;
  operationCount: number;
  store: Store;
  /** The request journal and fault rules the app uses. */
  control: ControlState;
  /** The store, catalog, generator and clock the handlers use. */
  services: ServiceDeps;
  /** The token `/__mock` requires, given or generated (`controlTokenGenerated`); undefined when none is. */
  controlToken: string | undefined;
  controlTokenGenerated: boolean;
  /** Stops accepting connections, lets in-flight requests finish, and flushes and closes the store. */
  close: () => Promise<void>;
};

/**
 * Opens the store, loads the fixtures and listens: the process edge shared by the CLI and the
 * programmatic API. Throws StoreFileError, StoreLockedError or FixtureError with a message naming the file.
 * `notice` hears what opening the store did that a user should know (a torn journal line dropped, a stale
 * lock taken over); stderr by default.
 */
export async function startServer(
  overrides: Partial<ServerOptions> = {},
  notice: (message: string) => void = (message) => process.stderr.write(`fruxon-mock: ${message}\n`),
): Promise<RunningServer> {
  const options = { ...DEFAULTS, ...overrides };
  const access = resolveControlAccess(options);
  const catalog = loadFixtures(options.fixtures);
  const storeFile = options.inMemory ? undefined : resolve(options.db);
  const generator = new Generator(options.seed);
  const idOf = (sequence: number) => generator.uuid(sequence);
  const store = storeFile ? await Store.openFile(storeFile, { notice, idOf }) : await Store.openMemory();
  const control = new ControlState({ journalSize: options.journalSize, journalBytes: options.journalBytes });
  const services: ServiceDeps = {
    store,
    catalog,
    generator,
    clock: options.time === undefined ? systemClock : logicalClock(options.time),
    agentDeleteGraceMs: options.agentDeleteGrace,
  };
  const app = createApp({
    ...services,
    control,
    options: {
      bodyLimit: options.bodyLimit,
      validateResponses: options.validateResponses,
      validation: options.validation,
      corsOrigins: options.corsOrigins,
      jwtSecret: options.jwtSecret,
      controlToken: access.token,
      controlCorsOrigins: [...access.corsOrigins],
      publicUrl: publicUrl(options.publicUrl),
      trustProxy: options.trustProxy,
      agentDeleteGraceMs: options.agentDeleteGrace,
      allowedHosts: [...listenHostNames(options.host), ...options.allowedHosts],
    },
  });
  const state = { closing: false };
  const server = await listen(
    createServer(hostClassesFor(app), (req, res) => {
      // Once closing, every response ends its connection so keep-alive clients cannot hold the server open.
      if (state.closing) res.setHeader('Connection', 'close');
      app(req, res);
    }),
    options.port,
    options.host,
  );
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    storeFile,
    operationCount: app.locals.operationCount as number,
    store,
    control,
    services,
    controlToken: access.token,
    controlTokenGenerated: access.generated,
    close: () => {
      state.closing = true;
      return close(server, store);
    },
  };
}

/** How long in-flight requests get to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 10_000;

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    server.once('listening', () => resolvePromise(server));
    server.once('error', reject);
    server.listen(port, host);
  });
}

async function close(server: Server, store: Store): Promise<void> {
  await new Promise<void>((resolvePromise) => {
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(cut);
      resolvePromise();
    });
    server.closeIdleConnections();
  });
  await store.close();
}
