import { parseArgs } from 'node:util';
import { DEFAULT_LOG_BYTES, DEFAULT_LOG_SIZE } from './control/request-log.js';
import type { ValidationMode } from './control/routes.js';
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
};

const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'warn', 'off'];

export const USAGE = `fruxon-mock: a contract-faithful mock of the Fruxon platform API

Usage: fruxon-mock [options]

Options:
  --port N          port to listen on (default 4010; PORT is honoured; 0 picks a free port)
  --host HOST       address to bind (default 127.0.0.1)
  --db FILE         lowdb JSON file holding the state (default data/fruxon-mock.json, created on first start)
  --in-memory       keep state in memory only; nothing is written
  --seed N          seed for faked fields and ids (default 1): same seed + same requests = same responses
  --time EPOCH_MS   use a logical clock starting at EPOCH_MS (advancing 1 ms per reading) instead of the wall clock
  --fixtures DIR    folder with integrations/*.json and agents.json (default: the shipped fixtures)
  --body-limit SIZE largest accepted request body (default 1mb)
  --validate-responses  check every response against the spec too (a mismatch becomes a 500)
  --jwt-secret SECRET  strict auth on /v1: only HS256 JWTs signed with SECRET and unexpired (else 401); a
                    'tenant' claim must match the path's tenant (else 403). FRUXON_MOCK_JWT_SECRET is honoured.
                    /__mock is covered by the control token, which strict mode requires (see --control-token)
  --validation MODE strict (default: invalid requests are 400), warn (let through, listed in the
                    x-mock-violations header) or off (let through silently)
  --journal-size N  how many requests GET /__mock/requests keeps (default ${DEFAULT_LOG_SIZE})
  --journal-bytes N how much text (bodies, URLs, headers) it keeps at most (default ${DEFAULT_LOG_BYTES}, 32 MiB)
  --cors ORIGINS    origins browsers may call from: * (default), a comma-separated list, or off
  --control-token TOKEN  require Authorization: Bearer TOKEN on /__mock (all but the consent page);
                    FRUXON_MOCK_CONTROL_TOKEN is honoured. Listening beyond loopback or --jwt-secret needs one:
                    without it, one is generated and printed once at start
  --control-cors ORIGINS  comma-separated origins whose pages may call /__mock (needs --control-token; never *)
  --public-url URL  base of every URL handed out (authorizationUrl, consent links, webhook URLs); its host is answered
  --trust-proxy     take scheme and host from X-Forwarded-Proto / X-Forwarded-Host (behind a reverse proxy)
  --allowed-hosts HOSTS  comma-separated host names to answer besides loopback, the listen address and the
                    --public-url host (others are 421, against DNS rebinding)
  --agent-delete-grace MS  how long a deleted agent can be restored with :cancelDelete before it is
                    purged, in ms of the mock's clock (default 604800000, a week)
  --help            show this help
`;

export class UsageError extends Error {}

/** Reads options from argv and the environment. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): ServerOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  return {
    port: integer('--port', v.port ?? env.PORT, DEFAULTS.port, 0, 65535),
    host: v.host ?? DEFAULTS.host,
    db: v.db ?? DEFAULTS.db,
    inMemory: v['in-memory'] ?? false,
    seed: integer('--seed', v.seed, DEFAULTS.seed, 0, 2 ** 32 - 1),
    time: v.time === undefined ? undefined : integer('--time', v.time, 0, 0, Number.MAX_SAFE_INTEGER),
    fixtures: v.fixtures ?? DEFAULTS.fixtures,
    bodyLimit: v['body-limit'] ?? DEFAULTS.bodyLimit,
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
  };
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
