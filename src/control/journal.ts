import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import type { Request, RequestHandler, Response } from 'express';

/** How a fault changed a request, when one did. */
export type FaultApplied = { source: 'prefer' | 'rule'; ruleId: string | null; status: number | null; delayMs: number; dropped: boolean };

/** One API request as the mock saw it, credentials redacted. */
export type JournalEntry = {
  /** Increases by one per recorded request, from 1; unaffected by clearing. */
  id: number;
  /** When the request arrived, epoch ms on the wall clock (never the mock's injectable clock). */
  time: number;
  tenant: string | null;
  method: string;
  path: string;
  query: Record<string, unknown>;
  operationId: string | null;
  /** Null when the connection was dropped before a response. */
  status: number | null;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  responseBody: unknown;
  fault: FaultApplied | null;
  /** What request validation found in `warn` or `off` mode; empty in `strict` mode. */
  violations: string[];
};

/** The heavy part of an entry, worked out when the entry is read. */
type Details = Pick<JournalEntry, 'query' | 'requestHeaders' | 'requestBody' | 'responseBody'>;

type StoredEntry = Omit<JournalEntry, keyof Details> & { details: () => Details };

/** Every field narrows the list; all are optional. */
export type JournalFilter = {
  method?: string;
  /** Matches entries whose path starts with this. */
  path?: string;
  operationId?: string;
  status?: number;
  tenant?: string;
  /** Epoch ms (or an ISO date-time): only entries at or after it. */
  since?: number | string;
  limit?: number;
};

export const DEFAULT_JOURNAL_SIZE = 1000;
export const REDACTED = '[redacted]';

const SECRET_FIELDS = new Set(['oAuthCredentialKey', 'credentialKey', 'accessToken', 'refreshToken']);
const AUTH_FIELDS = new Set(['auth', 'authConfig']);
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-api-key']);

/** A bounded request log, newest first: a ring buffer that forgets the oldest entry when full. */
export class Journal {
  /** A fixed-size ring: `slots[(start + i) % capacity]` is the i-th oldest of `count` entries. */
  private slots: (StoredEntry | undefined)[];
  private start = 0;
  private count = 0;
  private lastId = 0;

  constructor(readonly capacity = DEFAULT_JOURNAL_SIZE) {
    this.slots = new Array<StoredEntry | undefined>(capacity);
  }

  /**
   * Adds an entry, overwriting the oldest when full. The headers and bodies come as a thunk, run only when
   * the entry is read: parsing and redacting every response on the hot path cost a third of a GET, and most
   * entries are never read.
   */
  record(entry: Omit<JournalEntry, 'id' | keyof Details>, details: () => Details): void {
    this.lastId += 1;
    let materialized: Details | undefined;
    const stored = { id: this.lastId, ...entry, details: () => (materialized ??= details()) };
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = stored;
      this.count += 1;
    } else {
      this.slots[this.start] = stored;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** The matching entries, newest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const since = filter.since === undefined ? undefined : toEpoch(filter.since);
    const method = filter.method?.toUpperCase();
    const matching = this.newestFirst().filter(
      (e) =>
        (method === undefined || e.method === method) &&
        (filter.path === undefined || e.path.startsWith(filter.path)) &&
        (filter.operationId === undefined || e.operationId === filter.operationId) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.tenant === undefined || e.tenant === filter.tenant) &&
        (since === undefined || e.time >= since),
    );
    const picked = filter.limit === undefined ? matching : matching.slice(0, filter.limit);
    return structuredClone(picked.map(({ details, ...entry }) => ({ ...entry, ...details() })));
  }

  get size(): number {
    return this.count;
  }

  /** Forgets every entry, or only one tenant's. */
  clear(tenant?: string): void {
    const kept = tenant === undefined ? [] : this.newestFirst().reverse().filter((e) => e.tenant !== tenant);
    this.slots = new Array<StoredEntry | undefined>(this.capacity);
    kept.forEach((entry, i) => (this.slots[i] = entry));
    this.start = 0;
    this.count = kept.length;
  }

  private newestFirst(): StoredEntry[] {
    const result: StoredEntry[] = [];
    for (let i = this.count - 1; i >= 0; i--) result.push(this.slots[(this.start + i) % this.capacity]!);
    return result;
  }
}

/**
 * Records every request under its mount point once the response is finished (or the connection dropped).
 * It reads only the wall clock, so recording never changes what the API answers.
 */
export function recordRequests(journal: Journal, secretParameters: ReadonlySet<string> = new Set()): RequestHandler {
  return (req, res, next) => {
    const time = Date.now();
    const started = performance.now();
    captureSentBodies(res);
    // A response emits 'close' last, finished or not: one listener tells a sent response from a dropped one.
    res.once('close', () => {
      const dropped = !res.writableFinished;
      const [path = '', search = ''] = req.originalUrl.split('?', 2);
      journal.record(
        {
          time,
          tenant: tenantOf(path),
          method: req.method,
          path,
          operationId: (res.locals.operationId as string | undefined) ?? null,
          status: dropped ? null : res.statusCode,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          fault: (res.locals.fault as FaultApplied | undefined) ?? null,
          violations: (res.locals.violations as string[] | undefined) ?? [],
        },
        detailsLater(search, req.headers, (req as { body?: unknown }).body, sentBody(res), secretParameters),
      );
    });
    next();
  };
}

/**
 * The thunk that works out an entry's details. It is made outside the middleware so that it holds only
 * these values: a closure made inside would keep the whole request and response alive for as long as the
 * entry stays in the journal, and the old generation would fill with them under load.
 */
function detailsLater(search: string, headers: Request['headers'], body: unknown, responseBody: unknown, secretParameters: ReadonlySet<string>): () => Details {
  return () => ({
    query: { ...parseQuery(search) },
    requestHeaders: redactHeaders(headers),
    requestBody: redact(body ?? null, secretParameters),
    responseBody: redact(parseBody(responseBody), secretParameters),
  });
}

/**
 * Replaces credential values with `[redacted]`, keeping the names: every auth parameter, every connection
 * parameter the catalog flags secret (`secretParameters`), OAuth tokens and credential keys.
 */
export function redact(value: unknown, secretParameters: ReadonlySet<string> = new Set(), parentField?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, secretParameters, parentField));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([field, inner]) => {
      if (SECRET_FIELDS.has(field) && inner !== null) return [field, REDACTED];
      if (field === 'parameters' && isObject(inner)) {
        const all = parentField !== undefined && AUTH_FIELDS.has(parentField);
        return [
          field,
          Object.fromEntries(
            Object.entries(inner).map(([name, v]) => [name, all || secretParameters.has(name) ? REDACTED : redact(v, secretParameters, name)]),
          ),
        ];
      }
      return [field, redact(inner, secretParameters, field)];
    }),
  );
}

function redactHeaders(requestHeaders: Request['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(requestHeaders)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (!SECRET_HEADERS.has(name)) headers[name] = text;
    else if (name === 'authorization') headers[name] = /^[A-Za-z][\w-]*\s/.test(text) ? `${text.split(/\s/)[0]} ${REDACTED}` : REDACTED;
    else headers[name] = REDACTED;
  }
  return headers;
}

/** Where a response keeps the first body it sent, for the journal. */
const SENT_BODY = Symbol('sent body');
const hookedPrototypes = new WeakSet<object>();

/**
 * Makes `res.send` remember the first body sent, in `res.locals`. The hook goes once on the response's
 * prototype (Express gives each app its own), not as a bound wrapper per request.
 */
function captureSentBodies(res: Response): void {
  const prototype = Object.getPrototypeOf(res) as Response;
  if (hookedPrototypes.has(prototype)) return;
  hookedPrototypes.add(prototype);
  const send = prototype.send;
  prototype.send = function sendAndRemember(this: Response, body?: unknown) {
    (this.locals as Record<symbol, unknown>)[SENT_BODY] ??= body;
    return send.call(this, body);
  };
}

function sentBody(res: Response): unknown {
  return (res.locals as Record<symbol, unknown>)[SENT_BODY];
}

function parseBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return null;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The `{tenant}` of an API path, decoded; null outside `/v1/tenants/`. */
export function tenantOf(path: string): string | null {
  const match = /^\/v1\/tenants\/([^/:]+)/.exec(path);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}

function toEpoch(since: number | string): number {
  return typeof since === 'number' || /^\d+$/.test(since) ? Number(since) : Date.parse(since);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
