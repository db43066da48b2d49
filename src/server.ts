import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createApp } from './app.js';
import { buildDemoState } from './demo.js';
import type { ServiceDeps } from './deps.js';
import { loadFixtures } from './catalog/load.js';
import { ControlState } from './control/control.js';
import { resolveControlAccess } from './control/access.js';
import { DEFAULTS, UsageError, bodyLimit, publicUrl, type ServerOptions } from './config.js';
import { StateError } from './store/store.js';
import type { StoreData } from './store/types.js';
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
  /**
   * Stops accepting connections, lets in-flight requests finish for up to CLOSE_GRACE_MS (none with
   * `force`), and flushes and closes the store.
   */
  close: (options?: { force?: boolean }) => Promise<void>;
};

/** A `--baseline` file (or `startMock({ baseline })` snapshot) the mock cannot use; the message names it. */
export class BaselineError extends Error {
  constructor(
    readonly file: string | undefined,
    reason: string,
  ) {
    super(`cannot use ${file === undefined ? 'the baseline' : `baseline ${file}`}: ${reason}`);
    this.name = 'BaselineError';
  }
}

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
  bodyLimit(String(options.bodyLimit));
  const catalog = loadFixtures(options.fixtures);
  const storeFile = options.inMemory ? undefined : resolve(options.db);
  const generator = new Generator(options.seed);
  const idOf = (sequence: number) => generator.uuid(sequence);
  let control: ControlState;
  try {
    control = new ControlState({ journalSize: options.journalSize, journalBytes: options.journalBytes, seed: options.seed, latency: options.latency, idOf });
  } catch (error) {
    throw new UsageError(`latency: ${(error as Error).message}`);
  }
  if (options.demo && options.baseline !== undefined) throw new UsageError('--demo and --baseline (demo and baseline in startMock) both set the starting state: use one');
  setBaselineFrom(control, options.demo ? await buildDemoState(catalog, options.seed) : options.baseline);
  const store = storeFile ? await Store.openFile(storeFile, { notice, idOf }) : await Store.openMemory();
  // A new or empty store starts at the baseline; one that holds records keeps them.
  if (control.baseline() && Object.values(store.counts()).every((count) => count === 0)) await control.reset(store);
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
      printRequest: options.log ? (line: string) => process.stdout.write(`${line}\n`) : undefined,
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
  return {
    url: `http://${reachableHost(options.host)}:${port}`,
    port,
    storeFile,
    operationCount: app.locals.operationCount as number,
    store,
    control,
    services,
    controlToken: access.token,
    controlTokenGenerated: access.generated,
    close: (closeOptions = {}) => {
      state.closing = true;
      return close(server, store, control, closeOptions.force ? 0 : CLOSE_GRACE_MS);
    },
  };
}

/** How long in-flight requests get to finish on close before their connections are cut: well inside vitest's 10 s hook timeout. */
export const CLOSE_GRACE_MS = 3_000;

/** The host of a URL a client can reach: loopback for a wildcard address, brackets for IPv6. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]' || host === '::0') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Reads the baseline (a file name, or a snapshot) into `control`, or throws BaselineError saying why not. */
function setBaselineFrom(control: ControlState, baseline: StoreData | string | undefined): void {
  if (baseline === undefined) return;
  const file = typeof baseline === 'string' ? resolve(baseline) : undefined;
  let snapshot: unknown = baseline;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new BaselineError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
    }
    try {
      snapshot = JSON.parse(text) as unknown;
    } catch (error) {
      throw new BaselineError(file, `it is not JSON: ${(error as Error).message}`);
    }
  }
  try {
    control.setBaseline(snapshot as StoreData);
  } catch (error) {
    if (error instanceof StateError) throw new BaselineError(file, `it is not a state snapshot: ${error.message}`);
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    server.once('listening', () => resolvePromise(server));
    server.once('error', reject);
    server.listen(port, host);
  });
}

async function close(server: Server, store: Store, control: ControlState, graceMs: number): Promise<void> {
  await new Promise<void>((resolvePromise) => {
    const cutNow = () => {
      server.closeAllConnections();
      // Delayed requests whose sockets are now gone end here, instead of holding the process open.
      control.waits.releaseAll();
    };
    const cut = setTimeout(cutNow, graceMs);
    // A keep-alive connection whose request finishes after close began goes idle: close it then, not at the cut.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    server.close(() => {
      clearTimeout(cut);
      clearInterval(sweep);
      resolvePromise();
    });
    server.closeIdleConnections();
    if (graceMs === 0) cutNow();
  });
  await store.close();
}
