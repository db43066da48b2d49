import { parseArgs } from 'node:util';
import type { LatencySettings } from './control/latency.js';
import { MAX_DELAY_MS } from './control/rule-input.js';
import { DEFAULT_LOG_BYTES, DEFAULT_LOG_SIZE } from './control/request-log.js';
import type { ValidationMode } from './control/routes.js';
import type { StoreData } from './store/types.js';
import { DEFAULT_FIXTURES_DIR } from './spec.js';

/** How a mock server is started, from the CLI or the programmatic API. */
export type ServerOptions = {
  port: number;
  host: string;
  /** The lowdb JSON file; ignored when `inMemory`. */
  db: string;
  inMemory: boolean;
  seed: number;
  fixtures: string;
  /** Start of the logical clock (epoch ms) for reproducible timestamps; the wall clock when undefined. */
  time: number | undefined;
  bodyLimit: string;
  validateResponses: boolean;
  /** Strict auth mode; also read from FRUXON_MOCK_JWT_SECRET. */
  jwtSecret: string | undefined;
  /** How many requests the journal keeps (the oldest are forgotten first). */
  journalSize: number;
  /** How much text the journal keeps, bodies, URLs and headers together (the oldest entries are forgotten first). */
  journalBytes: number;
  validation: ValidationMode;
  /** Origins a browser may call from; `['*']` for any, `[]` for no CORS. */
  corsOrigins: string[];
  // Safe by default: see docs/security.md.
  /** Bearer token for `/__mock`; also read from FRUXON_MOCK_CONTROL_TOKEN. Generated when needed and not given. */
  controlToken: string | undefined;
  /** Origins whose pages may call `/__mock` (with the token); never `*`. */
  controlCorsOrigins: string[];
  /** The base of every URL handed out (`authorizationUrl`, consent links, webhook URLs); its host is answered. */
  publicUrl: string | undefined;
  /** Honour X-Forwarded-Proto / X-Forwarded-Host from a reverse proxy. */
  trustProxy: boolean;
  /** More host names to answer besides loopback, the listen address and the public URL's host. */
  allowedHosts: string[];
  /** Milliseconds a soft-deleted agent stays restorable (`:cancelDelete`) before it is purged. */
  agentDeleteGrace: number;
  /** What a reset goes back to: a state snapshot, or the JSON file holding one; empty when undefined. */
  baseline: StoreData | string | undefined;
  /** The latency of every API request: a delay, a jitter range and per-operation settings (ms). */
  latency: LatencySettings;
  /** Print one line per API request on stdout (on for the CLI, off for startMock). */
  log: boolean;
  /** Start with the demo tenant `acme` (src/demo.ts), which is also what a reset goes back to. */
  demo: boolean;
};

export const DEFAULTS: ServerOptions = {
  port: 4010,
  host: '127.0.0.1',
  db: 'data/fruxon-mock.json',
  inMemory: false,
  seed: 1,
  fixtures: DEFAULT_FIXTURES_DIR,
  time: undefined,
  bodyLimit: '1mb',
  validateResponses: false,
  jwtSecret: undefined,
  journalSize: DEFAULT_LOG_SIZE,
  journalBytes: DEFAULT_LOG_BYTES,
  validation: 'strict',
  corsOrigins: ['*'],
  controlToken: undefined,
  controlCorsOrigins: [],
  publicUrl: undefined,
  trustProxy: false,
  allowedHosts: [],
  // Rule agent-delete-grace-option: the docs name no length; a week.
  agentDeleteGrace: 7 * 24 * 60 * 60 * 1000,
  baseline: undefined,
  demo: false,
  latency: { delay: 0, jitter: 0 },
  log: false,
};

const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'warn', 'off'];

export const USAGE = `fruxon-mock: a contract-faithful mock of the Fruxon platform API

Usage: fruxon-mock [options]
       fruxon-mock conformance --help | import-catalog --help

Server:
  -p, --port N        port to listen on (default 4010; PORT is honoured; 0 picks a free port)
  --host HOST         address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --public-url URL    base of every URL handed out (authorizationUrl, consent links, webhook URLs); its host is answered
  --trust-proxy       take scheme and host from X-Forwarded-Proto / X-Forwarded-Host (behind a reverse proxy)
  --cors ORIGINS      origins browsers may call /v1 from: * (default), a comma-separated list, or off
  --body-limit SIZE   largest accepted request body, e.g. 512kb, 1mb (default 1mb)
  --log, --no-log     print one line per request (default: on)

Store:
  --db FILE           lowdb JSON file holding the state (default data/fruxon-mock.json, created on first start;
                      an empty file is a new store)
  --in-memory         keep state in memory only; nothing is written (not with --db)
  --baseline FILE     a state snapshot (as GET /__mock/state exports it): the state an empty store starts
                      with and every reset goes back to
  --demo              start with the demo tenant acme (published configs, participants of every kind, an
                      access request waiting), the same for the same --seed; every reset goes back to it
  --seed N            seed for faked fields, ids and jitter (default 1): same seed + same requests = same responses
  --time EPOCH_MS     use a logical clock starting at EPOCH_MS (advancing 1 ms per reading) instead of the wall clock
  --fixtures DIR      folder with integrations/*.json and agents.json (default: the shipped fixtures)

Behaviour:
  --validation MODE   strict (default: invalid requests are 400), warn (let through, listed in the
                      x-mock-violations header) or off (let through silently)
  --validate-responses  check every response against the spec too (a mismatch becomes a 500)
  --delay MS          answer every API request MS milliseconds late (default 0)
  --jitter MS         and up to MS more, the same sequence for the same --seed (default 0)
  --agent-delete-grace MS  how long a deleted agent can be restored with :cancelDelete before it is
                      purged, in ms of the mock's clock (default 604800000, a week)
  --jwt-secret SECRET strict auth on /v1: only HS256 JWTs signed with SECRET and unexpired (else 401); a
                      'tenant' claim must match the path's tenant (else 403). FRUXON_MOCK_JWT_SECRET is honoured.
                      /__mock is covered by the control token, which strict mode requires (see --control-token)

Control plane (/__mock):
  --control-token TOKEN  require Authorization: Bearer TOKEN on /__mock (all but the consent page);
                      FRUXON_MOCK_CONTROL_TOKEN is honoured. Listening beyond loopback or --jwt-secret needs one:
                      without it, one is generated and printed once at start
  --control-cors ORIGINS  comma-separated origins whose pages may call /__mock (needs --control-token; never *)
  --allowed-hosts HOSTS  comma-separated host names to answer besides loopback, the listen address and the
                      --public-url host (others are 421, against DNS rebinding)
  --journal-size N    how many requests GET /__mock/requests keeps (default ${DEFAULT_LOG_SIZE})
  --journal-bytes N   how much text (bodies, URLs, headers) it keeps at most (default ${DEFAULT_LOG_BYTES}, 32 MiB)

Other:
  -h, --help          show this help
  --version           print the version
`;

/** A bad option or value, from the command line or `startMock`; the message is one line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads options from argv and the environment. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): ServerOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        db: { type: 'string' },
        'in-memory': { type: 'boolean' },
        seed: { type: 'string' },
        time: { type: 'string' },
        fixtures: { type: 'string' },
        'body-limit': { type: 'string' },
        'validate-responses': { type: 'boolean' },
        'jwt-secret': { type: 'string' },
        validation: { type: 'string' },
        'journal-size': { type: 'string' },
        'journal-bytes': { type: 'string' },
        cors: { type: 'string' },
        'control-token': { type: 'string' },
        'control-cors': { type: 'string' },
        'public-url': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        'allowed-hosts': { type: 'string' },
        'agent-delete-grace': { type: 'string' },
        baseline: { type: 'string' },
        demo: { type: 'boolean' },
        delay: { type: 'string' },
        jitter: { type: 'string' },
        log: { type: 'boolean' },
        'no-log': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    // node:util's messages run over lines; a refusal is one line.
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, ' '));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.version) return 'version';
  if (v.db !== undefined && v['in-memory']) throw new UsageError('--db and --in-memory cannot be used together: a store is either a file or in memory');
  if (v.log && v['no-log']) throw new UsageError('--log and --no-log cannot be used together');
  for (const name of ['db', 'baseline', 'fixtures'] as const) {
    if (v[name] === '') throw new UsageError(`--${name} needs a file name`);
  }
  return {
    port: integer('--port', v.port ?? env.PORT, DEFAULTS.port, 0, 65535),
    host: v.host ?? DEFAULTS.host,
    db: v.db ?? DEFAULTS.db,
    inMemory: v['in-memory'] ?? false,
    seed: integer('--seed', v.seed, DEFAULTS.seed, 0, 2 ** 32 - 1),
    time: v.time === undefined ? undefined : integer('--time', v.time, 0, 0, Number.MAX_SAFE_INTEGER),
    fixtures: v.fixtures ?? DEFAULTS.fixtures,
    bodyLimit: bodyLimit(v['body-limit']),
    validateResponses: v['validate-responses'] ?? false,
    jwtSecret: v['jwt-secret'] ?? (env.FRUXON_MOCK_JWT_SECRET || undefined),
    journalSize: integer('--journal-size', v['journal-size'], DEFAULTS.journalSize, 1, 1_000_000),
    journalBytes: integer('--journal-bytes', v['journal-bytes'], DEFAULTS.journalBytes, 4096, 2 ** 40),
    validation: validationMode(v.validation),
    corsOrigins: corsOrigins(v.cors),
    controlToken: v['control-token'] ?? (env.FRUXON_MOCK_CONTROL_TOKEN || undefined),
    controlCorsOrigins: list(v['control-cors']),
    publicUrl: publicUrl(v['public-url']),
    trustProxy: v['trust-proxy'] ?? false,
    allowedHosts: list(v['allowed-hosts']),
    agentDeleteGrace: integer('--agent-delete-grace', v['agent-delete-grace'], DEFAULTS.agentDeleteGrace, 0, Number.MAX_SAFE_INTEGER),
    baseline: v.baseline,
    demo: v.demo ?? false,
    latency: {
      delay: integer('--delay', v.delay, 0, 0, MAX_DELAY_MS),
      jitter: integer('--jitter', v.jitter, 0, 0, MAX_DELAY_MS),
    },
    log: !v['no-log'],
  };
}

/** A size as body-parser takes it: bytes, or a number with b, kb, mb or gb. */
export function bodyLimit(raw: string | undefined): string {
  if (raw === undefined) return DEFAULTS.bodyLimit;
  if (!/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i.test(raw.trim())) {
    throw new UsageError(`--body-limit must be a size such as 100kb, 1mb or 2048 (bytes), got '${raw}'`);
  }
  return raw.trim();
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function validationMode(raw: string | undefined): ValidationMode {
  if (raw === undefined) return DEFAULTS.validation;
  if (!(VALIDATION_MODES as readonly string[]).includes(raw)) {
    throw new UsageError(`--validation must be one of ${VALIDATION_MODES.join(', ')}, got '${raw}'`);
  }
  return raw as ValidationMode;
}

function corsOrigins(raw: string | undefined): string[] {
  if (raw === undefined) return DEFAULTS.corsOrigins;
  if (raw === 'off') return [];
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length === 0) throw new UsageError("--cors needs '*', 'off' or a comma-separated list of origins");
  return origins;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

/** An http(s) URL without query or fragment, returned without a trailing `/`. */
export function publicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--public-url must be an absolute http(s) URL, got '${raw}'`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new UsageError(`--public-url must be an http(s) URL without credentials, query or fragment, got '${raw}'`);
  }
  return url.href.replace(/\/+$/, '');
}
