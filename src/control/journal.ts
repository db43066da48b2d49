import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import type { Request, RequestHandler, Response } from 'express';
import { TextRing } from './text-ring.js';

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

/**
 * One request as handed to the journal. The journal keeps its numbers and names as they are, and its URL,
 * headers and bodies as text (see `Journal`).
 */
export type RequestRecord = Omit<JournalEntry, 'id' | 'tenant' | 'path' | 'query' | 'requestHeaders' | 'requestBody' | 'responseBody'> & {
  /** The request's URL as received, path and query. */
  url: string;
  headers: Request['headers'];
  /** The parsed request body, undefined when there was none. */
  requestBody: unknown;
  /** The response body as sent, undefined when there was none. */
  responseBody: string | undefined;
};

/** The texts of an entry in the journal's text ring, in this order. */
const TEXTS = ['url', 'headers', 'requestBody', 'responseBody'] as const;

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

/**
 * A bounded request log, newest first: a ring buffer that forgets the oldest entry when full.
 *
 * An entry outlives young-generation collections (under load they come every few tens of milliseconds,
 * and the last 1,000 requests span several of them), and each object it kept on the heap was copied by them
 * and then promoted: kept as objects, entries cost a GET several microseconds. So an entry keeps its numbers in typed
 * arrays, its method, operation id, fault and violations (shared or rare objects) in arrays, and its URL,
 * headers and bodies as UTF-8 text outside the heap (`TextRing`). Reading parses and redacts them; most
 * entries are never read.
 */
export class Journal {
  /** Entry `i` (from the oldest) is at slot `(start + i) % capacity` of these, and at `texts.at(i)`. */
  private ids: Float64Array;
  private times: Float64Array;
  private durations: Float64Array;
  /** -1 for a dropped connection (status null). */
  private statuses: Int32Array;
  private methods: string[];
  private operationIds: (string | null)[];
  private faults: (FaultApplied | null)[];
  private violations: string[][];
  private secrets: SecretNames[];
  private readonly texts = new TextRing(TEXTS.length);
  private start = 0;
  private count = 0;
  private lastId = 0;

  constructor(readonly capacity = DEFAULT_JOURNAL_SIZE) {
    this.ids = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.durations = new Float64Array(capacity);
    this.statuses = new Int32Array(capacity);
    this.methods = new Array<string>(capacity);
    this.operationIds = new Array<string | null>(capacity);
    this.faults = new Array<FaultApplied | null>(capacity);
    this.violations = new Array<string[]>(capacity);
    this.secrets = new Array<SecretNames>(capacity);
  }

  /**
   * Adds an entry, overwriting the oldest when full. `secretParameters` are the connection parameters whose
   * values are redacted when the entry is read (see `redact`).
   */
  record(request: RequestRecord, secretParameters: SecretNames = NO_SECRETS): void {
    this.keep(++this.lastId, request, [
      request.url,
      JSON.stringify(request.headers),
      request.requestBody === undefined ? undefined : JSON.stringify(request.requestBody),
      request.responseBody,
    ], secretParameters);
  }

  /** The matching entries, newest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const since = filter.since === undefined ? undefined : toEpoch(filter.since);
    const method = filter.method?.toUpperCase();
    const matching: JournalEntry[] = [];
    for (let i = this.count - 1; i >= 0 && (filter.limit === undefined || matching.length < filter.limit); i--) {
      const slot = this.slotOf(i);
      const status = this.statuses[slot]! < 0 ? null : this.statuses[slot]!;
      if (method !== undefined && this.methods[slot] !== method) continue;
      if (filter.operationId !== undefined && this.operationIds[slot] !== filter.operationId) continue;
      if (filter.status !== undefined && status !== filter.status) continue;
      if (since !== undefined && this.times[slot]! < since) continue;
      const [url = '', headers = '{}', requestBody, responseBody] = this.texts.at(i);
      const { path, search } = splitUrl(url);
      const tenant = tenantOf(path);
      if (filter.path !== undefined && !path.startsWith(filter.path)) continue;
      if (filter.tenant !== undefined && tenant !== filter.tenant) continue;
      const secrets = this.secrets[slot]!;
      matching.push({
        id: this.ids[slot]!,
        time: this.times[slot]!,
        tenant,
        method: this.methods[slot]!,
        path,
        query: { ...parseQuery(search) },
        operationId: this.operationIds[slot]!,
        status,
        durationMs: this.durations[slot]!,
        requestHeaders: redactHeaders(JSON.parse(headers) as Request['headers']),
        requestBody: redact(requestBody === undefined ? null : JSON.parse(requestBody), secrets),
        responseBody: redact(parseBody(responseBody), secrets),
        fault: this.faults[slot]!,
        violations: this.violations[slot]!,
      });
    }
    return structuredClone(matching);
  }

  get size(): number {
    return this.count;
  }

  /** Forgets every entry, or only one tenant's. */
  clear(tenant?: string): void {
    const kept: [number, RequestRecord, (string | undefined)[], SecretNames][] = [];
    if (tenant !== undefined) {
      for (let i = 0; i < this.count; i++) {
        const texts = this.texts.at(i);
        if (tenantOf(splitUrl(texts[0] ?? '').path) === tenant) continue;
        const slot = this.slotOf(i);
        const request: RequestRecord = {
          time: this.times[slot]!,
          method: this.methods[slot]!,
          url: '',
          operationId: this.operationIds[slot]!,
          status: this.statuses[slot]! < 0 ? null : this.statuses[slot]!,
          durationMs: this.durations[slot]!,
          fault: this.faults[slot]!,
          violations: this.violations[slot]!,
          headers: {},
          requestBody: undefined,
          responseBody: undefined,
        };
        kept.push([this.ids[slot]!, request, texts, this.secrets[slot]!]);
      }
    }
    this.start = 0;
    this.count = 0;
    this.texts.clear();
    for (const [id, request, texts, secrets] of kept) this.keep(id, request, texts, secrets);
  }

  private keep(id: number, request: RequestRecord, texts: (string | undefined)[], secrets: SecretNames): void {
    let slot: number;
    if (this.count < this.capacity) {
      slot = this.slotOf(this.count);
      this.count += 1;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
      this.texts.shift();
    }
    this.texts.push(texts);
    this.ids[slot] = id;
    this.times[slot] = request.time;
    this.durations[slot] = request.durationMs;
    this.statuses[slot] = request.status ?? -1;
    this.methods[slot] = request.method;
    this.operationIds[slot] = request.operationId;
    this.faults[slot] = request.fault;
    this.violations[slot] = request.violations;
    this.secrets[slot] = secrets;
  }

  private slotOf(i: number): number {
    return (this.start + i) % this.capacity;
  }
}

const NO_SECRETS: SecretNames = new Set();

function splitUrl(url: string): { path: string; search: string } {
  const end = url.indexOf('?');
  return end === -1 ? { path: url, search: '' } : { path: url.slice(0, end), search: url.slice(end + 1) };
}

/**
 * Records every request under its mount point once the response is finished (or the connection dropped).
 * It reads only the wall clock, so recording never changes what the API answers. Per request it adds one
 * listener shared by every request, and the journal keeps nothing of the request's objects.
 */
export function recordRequests(journal: Journal, secretParameters: SecretNames = new Set()): RequestHandler {
  // A response emits 'close' last, finished or not: one listener tells a sent response from a dropped one.
  function onClose(this: Response): void {
    const locals = this.locals as {
      [STARTED]?: Started;
      operationId?: string;
      fault?: FaultApplied;
      violations?: string[];
      /** Recorded instead of the parsed body, which is too deep to serialise (see `limitBodyDepth`). */
      journalBody?: string;
    };
    const started = locals[STARTED];
    if (!started) return;
    const req = this.req;
    journal.record(
      {
        time: started.time,
        method: req.method,
        url: req.originalUrl,
        operationId: locals.operationId ?? null,
        status: this.writableFinished ? this.statusCode : null,
        durationMs: Math.round((performance.now() - started.at) * 10) / 10,
        fault: locals.fault ?? null,
        violations: locals.violations ?? NO_VIOLATIONS,
        headers: req.headers,
        requestBody: locals.journalBody ?? (req as { body?: unknown }).body,
        responseBody: sentText(this),
      },
      secretParameters,
    );
  }
  return (_req, res, next) => {
    captureSentBodies(res);
    (res.locals as { [STARTED]?: Started })[STARTED] = { time: Date.now(), at: performance.now() };
    res.on('close', onClose);
    next();
  };
}

/** When a request arrived: wall-clock epoch ms, and `performance.now()` for its duration. */
type Started = { time: number; at: number };
const STARTED = Symbol('journal started');
const NO_VIOLATIONS: string[] = [];

/**
 * Replaces credential values with `[redacted]`, keeping the names: every auth parameter, every connection
 * parameter the catalog flags secret (`secretParameters`), OAuth tokens and credential keys, webhook URLs,
 * and the default value of a parameter declared secret.
 */
export function redact(value: unknown, secretParameters: SecretNames = new Set(), parentField?: string): unknown {
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
    rememberSentBody(this, body);
    return send.call(this, body);
  };
}

/** What the journal records as the response's body, unless one was sent before; for bodies sent around `res.send`. */
export function rememberSentBody(res: Response, body: unknown): void {
  (res.locals as Record<symbol, unknown>)[SENT_BODY] ??= body;
}

/** The first body the response sent, as text: a Buffer decoded as UTF-8, anything else but a string as JSON. */
function sentText(res: Response): string | undefined {
  const body = (res.locals as Record<symbol, unknown>)[SENT_BODY];
  if (body === undefined || body === null || typeof body === 'string') return body ?? undefined;
  return Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
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
