import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import type { Request, RequestHandler, Response } from 'express';
import type { Caller } from '../http/auth.js';
import type { Operation } from '../http/routes.js';

/** How a fault changed a request, when one did. */
export type FaultApplied = { source: 'prefer' | 'rule' | 'stub'; ruleId: string | null; status: number | null; delayMs: number; dropped: boolean };

/**
 * What the mock knows about one API request as it goes through the middlewares: each step writes what it
 * found here, and the request log reads it once the response is done. The one per-request object of the
 * API (see `contextOf`).
 */
export type RequestContext = {
  /** When the request arrived, epoch ms on the wall clock (never the mock's injectable clock). */
  readonly time: number;
  /** `performance.now()` on arrival, for the duration. */
  readonly startedAt: number;
  /** The spec operation the route table found; null for a 404 or 405. */
  operation: Operation | null;
  /** The path's `{tenant}`, decoded; null outside `/v1/tenants/`. */
  tenant: string | null;
  /** Who the bearer token acts as, once it was checked. */
  caller: Caller | null;
  /** Recorded in place of the parsed request body, when that is not to be serialised (see `limitBodyDepth`). */
  requestBodyNote: string | undefined;
  /** The response body as sent, as text; undefined for none. */
  responseBody: string | undefined;
  /** What request validation found in `warn` or `off` mode. */
  violations: string[];
  fault: FaultApplied | null;
};

/** One API request as the mock saw it, credentials redacted. */
export type LoggedRequest = {
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

/** Every field narrows the list; all are optional. */
export type RequestFilter = {
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

/** One request as handed to the log: its bodies as JSON text. */
export type RequestRecord = Omit<LoggedRequest, 'id' | 'tenant' | 'path' | 'query' | 'requestHeaders' | 'requestBody' | 'responseBody'> & {
  /** The request's URL as received, path and query. */
  url: string;
  /** The path's tenant; read from the URL when not given. */
  tenant?: string | null;
  headers: Request['headers'];
  requestBody: string | undefined;
  responseBody: string | undefined;
};

/**
 * What the log holds for one request: the record's own values and texts, not copies; headers and bodies
 * are redacted when read. Each request's entry outlives a few young-generation collections, so whatever it
 * allocates is promoted and collected only by a full one: the fewer objects it makes, the smaller the heap
 * grows under load (docs/request-path.md).
 */
type Entry = Omit<RequestRecord, 'tenant'> & {
  id: number;
  tenant: string | null;
  bytes: number;
  secrets: SecretNames;
};

/**
 * Rule journal-size-and-drops. Each entry outlives the young generation, so what the journal holds is
 * collected only by full collections, and V8 lets the old generation grow the further the faster entries
 * arrive: gets at 10,000 a second on a 10,000-config store peaked at 173-209 MB of RSS with 1,000 entries,
 * 159-183 with 500, and 134-136 with 200 (three runs each; docs/request-path.md).
 */
export const DEFAULT_LOG_SIZE = 200;
/** The most text the log holds, bodies, URLs and headers together (UTF-16 code units, bytes for ASCII). */
export const DEFAULT_LOG_BYTES = 32 * 1024 * 1024;
export const REDACTED = '[redacted]';

// Webhook URLs carry their key, which is the inbound credential; `authSettings` holds a custom integration's.
const SECRET_FIELDS = new Set([
  'oAuthCredentialKey',
  'credentialKey',
  'accessToken',
  'refreshToken',
  'webhookUrl',
  'expectedWebhookUrl',
  'providerReportedUrl',
]);
const AUTH_FIELDS = new Set(['auth', 'authConfig', 'authSettings']);

/** Parameter names whose values are credentials; asked name by name, so the set may grow after recording. */
export type SecretNames = { has(name: string): boolean };
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-api-key']);
const NO_SECRETS: SecretNames = new Set();

/**
 * The last requests, newest first: at most `capacity` entries and `maxBytes` of text; the oldest go first.
 * Bodies are kept as the text that was sent and parsed, headers as received; both are redacted when read.
 */
export class RequestLog {
  private entries: Entry[] = [];
  private lastId = 0;
  private heldBytes = 0;
  private droppedCount = 0;

  constructor(
    readonly capacity = DEFAULT_LOG_SIZE,
    readonly maxBytes = DEFAULT_LOG_BYTES,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** The text held now, in the unit of `maxBytes`. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Entries forgotten to make room for newer ones since the log was last cleared (of every tenant). */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Adds an entry, forgetting the oldest while there are more than `capacity` or more than `maxBytes`.
   * An entry that alone is larger than a quarter of `maxBytes` keeps a note in place of its bodies.
   * `secretParameters` are the connection parameters whose values are redacted when it is read (see `redact`).
   */
  record(request: RequestRecord, secretParameters: SecretNames = NO_SECRETS): void {
    const entry: Entry = {
      id: ++this.lastId,
      time: request.time,
      tenant: request.tenant === undefined ? tenantOf(splitUrl(request.url).path) : request.tenant,
      method: request.method,
      url: request.url,
      operationId: request.operationId,
      status: request.status,
      durationMs: request.durationMs,
      headers: request.headers,
      requestBody: request.requestBody,
      responseBody: request.responseBody,
      fault: request.fault,
      violations: request.violations,
      bytes: 0,
      secrets: secretParameters,
    };
    entry.bytes = sizeOf(entry);
    if (entry.bytes > this.maxBytes / 4) {
      const note = (text: string | undefined) =>
        text === undefined ? undefined : JSON.stringify(`[not recorded: ${text.length} characters, more than the request log keeps]`);
      entry.requestBody = note(entry.requestBody);
      entry.responseBody = note(entry.responseBody);
      entry.bytes = sizeOf(entry);
    }
    this.entries.push(entry);
    this.heldBytes += entry.bytes;
    let drop = 0;
    let dropped = 0;
    while (this.entries.length - drop > this.capacity || this.heldBytes - dropped > this.maxBytes) {
      dropped += this.entries[drop]!.bytes;
      drop += 1;
    }
    if (drop > 0) {
      this.entries.splice(0, drop);
      this.heldBytes -= dropped;
      this.droppedCount += drop;
    }
  }

  /** The matching entries, newest first. */
  list(filter: RequestFilter = {}): LoggedRequest[] {
    const since = filter.since === undefined ? undefined : toEpoch(filter.since);
    const method = filter.method?.toUpperCase();
    const matching: LoggedRequest[] = [];
    for (let i = this.entries.length - 1; i >= 0 && (filter.limit === undefined || matching.length < filter.limit); i--) {
      const e = this.entries[i]!;
      const { path, search } = splitUrl(e.url);
      if (method !== undefined && e.method !== method) continue;
      if (filter.operationId !== undefined && e.operationId !== filter.operationId) continue;
      if (filter.status !== undefined && e.status !== filter.status) continue;
      if (since !== undefined && e.time < since) continue;
      if (filter.path !== undefined && !path.startsWith(filter.path)) continue;
      if (filter.tenant !== undefined && e.tenant !== filter.tenant) continue;
      matching.push({
        id: e.id,
        time: e.time,
        tenant: e.tenant,
        method: e.method,
        path,
        query: { ...parseQuery(search) },
        operationId: e.operationId,
        status: e.status,
        durationMs: e.durationMs,
        requestHeaders: redactHeaders(e.headers),
        requestBody: redact(parseBody(e.requestBody), e.secrets),
        responseBody: redact(parseBody(e.responseBody), e.secrets),
        fault: e.fault && { ...e.fault },
        violations: [...e.violations],
      });
    }
    return matching;
  }

  /** Forgets every entry, or only one tenant's. */
  clear(tenant?: string): void {
    this.entries = tenant === undefined ? [] : this.entries.filter((e) => e.tenant !== tenant);
    this.heldBytes = this.entries.reduce((sum, e) => sum + e.bytes, 0);
    if (tenant === undefined) this.droppedCount = 0;
  }
}

/** Roughly what an entry holds: its texts' lengths plus a share for the numbers and names. */
function sizeOf(request: Entry): number {
  let bytes = 200 + request.url.length + (request.requestBody?.length ?? 0) + (request.responseBody?.length ?? 0);
  for (const name in request.headers) {
    const value = request.headers[name];
    bytes += name.length + (typeof value === 'string' ? value.length : (value?.join(', ').length ?? 0));
  }
  for (const violation of request.violations) bytes += violation.length;
  return bytes;
}

/**
 * The request carries its context under a symbol of this module, not in a WeakMap: V8 frees a WeakMap's
 * values only in a full collection, so every request's context lived on in the old generation until one ran
 * (about 300 bytes a request, measured with a sampling heap profile under load; docs/request-path.md).
 */
const CONTEXT = Symbol('fruxon-mock request context');
type WithContext = Request & { [CONTEXT]?: RequestContext };

/** The context of an API request (see `logRequests`, which makes it). */
export function contextOf(req: Request): RequestContext {
  const context = (req as WithContext)[CONTEXT];
  if (!context) throw new Error('No request context: logRequests() must run first');
  return context;
}

/** The context of a request, or undefined outside the API (the control plane has none). */
export function findContext(req: Request): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/**
 * Gives every request under its mount point a `RequestContext`, and records the request in `log` once the
 * response is finished (or the connection dropped). It reads only the wall clock, so recording never changes
 * what the API answers.
 */
export function logRequests(log: RequestLog, secretParameters: SecretNames = NO_SECRETS): RequestHandler {
  // A response emits 'close' last, finished or not: one listener tells a sent response from a dropped one.
  function onClose(this: Response): void {
    const req = this.req;
    const context = (req as WithContext)[CONTEXT];
    if (!context) return;
    const body = (req as { body?: unknown }).body;
    log.record(
      {
        time: context.time,
        // The route table read the tenant of a path it found; only a 404 or 405 leaves it to the log.
        tenant: context.operation ? context.tenant : undefined,
        method: req.method,
        url: req.originalUrl,
        operationId: context.operation?.operationId ?? null,
        status: this.writableFinished ? this.statusCode : null,
        durationMs: Math.round((performance.now() - context.startedAt) * 10) / 10,
        fault: context.fault,
        violations: context.violations,
        headers: req.headers,
        requestBody: context.requestBodyNote !== undefined ? JSON.stringify(context.requestBodyNote) : body === undefined ? undefined : JSON.stringify(body),
        responseBody: context.responseBody,
      },
      secretParameters,
    );
  }
  return (req, res, next) => {
    (req as WithContext)[CONTEXT] = {
      time: Date.now(),
      startedAt: performance.now(),
      operation: null,
      tenant: null,
      caller: null,
      requestBodyNote: undefined,
      responseBody: undefined,
      violations: [],
      fault: null,
    };
    res.on('close', onClose);
    next();
  };
}

/**
 * Replaces credential values with `[redacted]`, keeping the names: every auth parameter, every connection
 * parameter the catalog flags secret (`secretParameters`), OAuth tokens and credential keys.
 */
export function redact(value: unknown, secretParameters: SecretNames = NO_SECRETS, parentField?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, secretParameters, parentField));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([field, inner]) => {
      if (SECRET_FIELDS.has(field) && inner !== null) return [field, REDACTED];
      // A custom integration's secret parameter: its default value is a credential.
      if (field === 'defaultValue' && value.secret === true && inner !== null) return [field, REDACTED];
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

function parseBody(text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function splitUrl(url: string): { path: string; search: string } {
  const end = url.indexOf('?');
  return end === -1 ? { path: url, search: '' } : { path: url.slice(0, end), search: url.slice(end + 1) };
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
