import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from '../http/errors.js';
import { problemForStatus } from '../http/problems.js';
import { escapeRegExp, type RouteTable } from '../http/routes.js';
import type { Latency, Waits } from './latency.js';
import { contextOf, type FaultApplied } from './request-log.js';
import type { DocumentedResponses } from './responses.js';
import {
  MAX_DELAY_MS,
  bodyMatches,
  checkRuleShape,
  invalidRule as invalid,
  type FaultRuleInput,
  type FaultTimes,
  type RuleKind,
  type StubInput,
} from './rule-input.js';

export { MAX_DELAY_MS } from './rule-input.js';
export type { FaultRuleInput, FaultTimes, RuleMatchInput, StubInput } from './rule-input.js';

/** What every rule has: what it matches, how often, and how often it did. */
type RuleBase = {
  id: string;
  operationId: string;
  method: string | null;
  path: string | null;
  tenant: string | null;
  /** The partial request body it needs; null for any. */
  bodyMatches: unknown;
  priority: number;
  delay: number;
  times: FaultTimes;
  /** Uses left; null for `always`. A rule with none left is removed. */
  remaining: number | null;
  /** Requests it has answered so far. */
  hits: number;
};

/** A fault rule as listed: an error status, a delay, or a dropped connection. */
export type FaultRule = RuleBase & { kind: 'fault'; status: number | null; drop: boolean };

/** A stub as listed: the answer matching requests get instead of the handler's. */
export type StubRule = RuleBase & { kind: 'stub'; status: number; headers: Record<string, string>; body: unknown };

export type MockRule = FaultRule | StubRule;

type Stored = MockRule & { pattern: RegExp | null; order: number };

/**
 * Fault rules and stubs, one list: the highest `priority` first, then in the order they were added; the
 * first matching rule answers. Both kinds are checked by the same code in-process and over HTTP.
 */
export class FaultRules {
  private rules: Stored[] = [];
  private lastId: Record<RuleKind, number> = { fault: 0, stub: 0 };
  private lastOrder = 0;

  constructor(
    private readonly routes: RouteTable,
    private readonly responses: DocumentedResponses,
  ) {}

  /** How many rules of both kinds are set. */
  get size(): number {
    return this.rules.length;
  }

  /** Adds a fault rule, or throws a `validation` or `unprocessable` problem saying what is wrong with it. */
  add(input: FaultRuleInput): FaultRule {
    checkRuleShape('fault', input);
    const base = this.baseOf('fault', input);
    if (input.status === undefined && input.delay === undefined && !input.drop) {
      throw invalid('A fault rule needs a status, a delay or drop: true.');
    }
    if (input.status !== undefined && input.status < 400) {
      throw invalid('A fault rule status must be an error status (400 or more); use a stub to answer with a success, or delay alone to slow one down.');
    }
    if (input.status !== undefined) checkStatus(this.responses, base.operationId, input.status, 'fault rules');
    if (input.status !== undefined && input.drop) throw invalid('A rule either answers with a status or drops the connection, not both.');
    return this.store({ ...base, kind: 'fault', status: input.status ?? null, drop: input.drop ?? false }) as FaultRule;
  }

  /** Adds a stub, or throws a `validation` or `unprocessable` problem saying what is wrong with it. */
  addStub(input: StubInput): StubRule {
    checkRuleShape('stub', input);
    const base = this.baseOf('stub', input);
    if ((input.status === 204 || input.status === 304) && input.body !== undefined) {
      throw invalid(`A stub answering ${input.status} cannot have a body.`);
    }
    return this.store({ ...base, kind: 'stub', status: input.status, headers: { ...input.headers }, body: input.body === undefined ? null : structuredClone(input.body) }) as StubRule;
  }

  /** The rules, in the order they apply; only one kind when `kind` is given. */
  list(): MockRule[];
  list(kind: 'fault'): FaultRule[];
  list(kind: 'stub'): StubRule[];
  list(kind?: RuleKind): MockRule[];
  list(kind?: RuleKind): MockRule[] {
    return this.rules.filter((r) => kind === undefined || r.kind === kind).map(view);
  }

  remove(id: string, kind?: RuleKind): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id || (kind !== undefined && r.kind !== kind));
    return this.rules.length < before;
  }

  /** Removes every rule (of one kind), or only the rules scoped to one tenant. */
  clear(options: { tenant?: string; kind?: RuleKind } = {}): void {
    this.rules = this.rules.filter(
      (r) => (options.kind !== undefined && r.kind !== options.kind) || (options.tenant !== undefined && r.tenant !== options.tenant),
    );
  }

  /** The first rule matching the request, with one use taken; undefined when none matches. */
  take(request: { operationId: string; path: string; tenant: string | null; body: unknown }): MockRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.operationId === request.operationId &&
        (r.pattern === null || r.pattern.test(request.path)) &&
        (r.tenant === null || r.tenant === request.tenant) &&
        (r.bodyMatches === null || bodyMatches(request.body, r.bodyMatches)),
    );
    if (!rule) return undefined;
    rule.hits += 1;
    if (rule.remaining !== null) {
      rule.remaining -= 1;
      if (rule.remaining === 0) this.remove(rule.id);
    }
    return view(rule);
  }

  private baseOf(kind: RuleKind, input: FaultRuleInput | StubInput): RuleBase & { pattern: RegExp | null } {
    const { operationId, method, path } = this.resolveTarget(kind, input);
    const times = input.times ?? 'always';
    return {
      id: '',
      operationId,
      method,
      path,
      tenant: input.tenant ?? null,
      bodyMatches: input.bodyMatches === undefined ? null : structuredClone(input.bodyMatches),
      priority: input.priority ?? 0,
      delay: input.delay ?? 0,
      times,
      remaining: times === 'always' ? null : times === 'once' ? 1 : times,
      hits: 0,
      pattern: path === null ? null : pathPattern(path),
    };
  }

  private store(rule: MockRule & { pattern: RegExp | null }): MockRule {
    this.lastId[rule.kind] += 1;
    const stored = { ...rule, id: `${rule.kind}_${this.lastId[rule.kind]}`, order: ++this.lastOrder } as Stored;
    this.rules.push(stored);
    this.rules.sort((a, b) => b.priority - a.priority || a.order - b.order);
    return view(stored);
  }

  private resolveTarget(kind: RuleKind, input: FaultRuleInput | StubInput): { operationId: string; method: string | null; path: string | null } {
    const noun = kind === 'fault' ? 'A fault rule' : 'A stub';
    if (input.path === undefined) {
      if (input.operationId === undefined) throw invalid(`${noun} needs an operationId, or a method and a path.`);
      if (!this.responses.has(input.operationId)) throw invalid(`The spec has no operation '${input.operationId}'.`);
      const method = input.method?.toUpperCase() ?? null;
      const own = this.responses.methodOf(input.operationId);
      if (method !== null && method !== own) throw invalid(`Operation '${input.operationId}' is ${own}, not ${method}.`);
      return { operationId: input.operationId, method, path: null };
    }
    if (input.method === undefined) throw invalid(`${noun} with a path needs a method too.`);
    const method = input.method.toUpperCase();
    const match = this.routes.match(method, input.path.replace(/\{[^}/]+\}/g, 'x'));
    if (match.kind !== 'found') throw invalid(`No operation of the spec matches ${method} ${input.path}.`);
    if (input.operationId !== undefined && input.operationId !== match.operation.operationId) {
      throw invalid(`${method} ${input.path} is operation '${match.operation.operationId}', not '${input.operationId}'.`);
    }
    return { operationId: match.operation.operationId, method, path: input.path };
  }
}

/** What a `Prefer` header asks of the mock (RFC 7240); preferences it does not know are ignored. */
export type Preferences = { code?: number; delay?: number };

/** Parses `Prefer: code=404, delay=250`; a malformed `code` or `delay` is an `unprocessable` problem. */
export function parsePrefer(header: string | undefined): Preferences {
  const preferences: Preferences = {};
  if (header === undefined) return preferences;
  for (const token of header.split(',')) {
    const [pair = ''] = token.split(';');
    const [rawName = '', ...rest] = pair.split('=');
    const name = rawName.trim().toLowerCase();
    if (name !== 'code' && name !== 'delay') continue;
    if (preferences[name] !== undefined) continue;
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (!/^\d{1,6}$/.test(value)) throw invalid(`Prefer: ${name} needs a whole number, got '${pair.trim()}'.`);
    const number = Number(value);
    if (name === 'code' && (number < 100 || number > 599)) throw invalid(`Prefer: code=${value} is not an HTTP status.`);
    if (name === 'delay' && number > MAX_DELAY_MS) throw invalid(`Prefer: delay=${value} is more than ${MAX_DELAY_MS} ms.`);
    preferences[name] = number;
  }
  return preferences;
}

/** What the API request middleware needs: the rules, the documented statuses, the latency and its timers. */
export type FaultDeps = { faults: FaultRules; responses: DocumentedResponses; latency: Latency; waits: Waits };

/**
 * Applies the latency, `Prefer: code=/delay=`, and the fault rules and stubs to an API request whose
 * operation is known (its `RequestContext`). An injected error or a stub answers before any handler runs, so
 * it stores nothing. A `Prefer` header wins over the rules, and then no rule is used up.
 */
export function injectFaults({ faults, responses, latency, waits }: FaultDeps): RequestHandler {
  return (req, res, next) => {
    const context = contextOf(req);
    const operationId = context.operation!.operationId;
    let rule: MockRule | undefined;
    let fault: FaultApplied | undefined;
    try {
      fault = preferredFault(parsePrefer(req.get('prefer')), operationId, responses);
    } catch (error) {
      next(error);
      return;
    }
    if (!fault && faults.size > 0) {
      const path = req.originalUrl.split('?')[0]!;
      rule = faults.take({ operationId, path, tenant: context.tenant, body: (req as { body?: unknown }).body });
      if (rule) fault = appliedOf(rule);
    }
    const wait = latency.next(operationId) + (fault?.delayMs ?? 0);
    // Most requests have no fault and no latency: they go on synchronously, with no promise made for them.
    if (!fault && wait === 0) {
      next();
      return;
    }
    if (fault) context.fault = fault;
    return applyFault({ fault, rule, wait }, req, res, next, responses, operationId, waits);
  };
}

function appliedOf(rule: MockRule): FaultApplied {
  if (rule.kind === 'stub') return { source: 'stub', ruleId: rule.id, status: rule.status, delayMs: rule.delay, dropped: false };
  return { source: 'rule', ruleId: rule.id, status: rule.status, delayMs: rule.delay, dropped: rule.drop };
}

async function applyFault(
  { fault, rule, wait }: { fault: FaultApplied | undefined; rule: MockRule | undefined; wait: number },
  req: Request,
  res: Response,
  next: NextFunction,
  responses: DocumentedResponses,
  operationId: string,
  waits: Waits,
): Promise<void> {
  if (wait > 0) await waits.wait(wait);
  // The client went away, or the server is closing and cut it.
  if (req.socket.destroyed) return;
  if (!fault) {
    next();
    return;
  }
  if (fault.dropped) {
    req.socket.destroy();
    return;
  }
  if (rule?.kind === 'stub') {
    sendStub(res, rule);
    return;
  }
  if (fault.status === null || fault.status < 400) {
    next();
    return;
  }
  res.set('X-Mock-Fault', fault.ruleId ?? 'prefer');
  sendFault(res, fault.status, responses.shapeOf(operationId, fault.status)?.body ?? 'problem', fault);
}

function preferredFault(prefer: Preferences, operationId: string, responses: DocumentedResponses): FaultApplied | undefined {
  if (prefer.code === undefined && prefer.delay === undefined) return undefined;
  if (prefer.code !== undefined) checkStatus(responses, operationId, prefer.code, 'Prefer: code=');
  const status = prefer.code !== undefined && prefer.code >= 400 ? prefer.code : null;
  if (status === null && !prefer.delay) return undefined;
  return { source: 'prefer', ruleId: null, status, delayMs: prefer.delay ?? 0, dropped: false };
}

/**
 * A status may be injected when the operation documents it, or when it is any 5xx (an outage looks the
 * same on every operation). The problem says what `who` accepts instead.
 */
function checkStatus(responses: DocumentedResponses, operationId: string, status: number, who: string): void {
  const documented = responses.statusesOf(operationId);
  if (documented.includes(status)) return;
  if (status >= 500 && status <= 599) return;
  throw invalid(
    `Operation '${operationId}' does not document status ${status}; ${who} accepts the statuses it documents ` +
      `(${documented.join(', ')}) or any 5xx.`,
  );
}

function sendFault(res: Response, status: number, body: 'problem' | 'empty' | 'success', fault: FaultApplied): void {
  if (body === 'empty') {
    res.status(status);
    if (status === 401) res.set('WWW-Authenticate', 'Bearer');
    res.end();
    return;
  }
  const by = fault.source === 'prefer' ? `Prefer: code=${status}` : `fault rule ${fault.ruleId}`;
  sendProblem(res, problemForStatus(status, `Injected by ${by}; nothing was changed.`));
}

/** A stub's answer exactly as written: its status, its headers, its body as JSON (none when it has none). */
function sendStub(res: Response, stub: StubRule): void {
  const context = contextOf(res.req);
  res.status(stub.status).set('X-Mock-Stub', stub.id);
  for (const [name, value] of Object.entries(stub.headers)) res.set(name, value);
  if (stub.body === null) {
    res.end();
    return;
  }
  const text = JSON.stringify(stub.body);
  context.responseBody = text;
  if (!res.get('Content-Type')) res.type('application/json');
  res.send(text);
}

function pathPattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/:]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}/?$`);
}

function view(rule: Stored): MockRule {
  const { pattern: _pattern, order: _order, ...rest } = rule;
  return structuredClone(rest) as MockRule;
}
