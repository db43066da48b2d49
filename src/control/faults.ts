import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from '../http/errors.js';
import { problem, problemForStatus } from '../http/problems.js';
import { escapeRegExp, type RouteTable } from '../http/routes.js';
import { contextOf, type FaultApplied } from './request-log.js';
import type { DocumentedResponses } from './responses.js';

/** How many requests a rule applies to. */
export type FaultTimes = 'once' | 'always' | number;

/** What `POST /__mock/faults` and `addFault` take: which requests, and what happens to them. */
export type FaultRuleInput = {
  operationId?: string;
  /** With `path`: the HTTP method of the requests to fault. */
  method?: string;
  /** A spec path template (`/v1/tenants/{tenant}/…`) or a concrete path; `{name}` matches one segment. */
  path?: string;
  /** Only requests of this tenant. */
  tenant?: string;
  /** Answer with this status instead: one the operation documents, or any 5xx. */
  status?: number;
  /** Wait this many milliseconds first. */
  delay?: number;
  /** Close the connection without answering. */
  drop?: boolean;
  /** `always` by default. */
  times?: FaultTimes;
};

export type FaultRule = {
  id: string;
  operationId: string;
  method: string | null;
  path: string | null;
  tenant: string | null;
  status: number | null;
  delay: number;
  drop: boolean;
  times: FaultTimes;
  /** Uses left; null for `always`. A rule with none left is removed. */
  remaining: number | null;
  /** Requests it has faulted so far. */
  hits: number;
};

/** The longest delay a rule or `Prefer: delay=` may ask for, in ms. */
export const MAX_DELAY_MS = 60_000;

type StoredRule = FaultRule & { pattern: RegExp | null };

/** Fault and latency rules, applied in the order they were added; the first matching rule wins. */
export class FaultRules {
  private rules: StoredRule[] = [];
  private lastId = 0;

  constructor(
    private readonly routes: RouteTable,
    private readonly responses: DocumentedResponses,
  ) {}

  /** How many rules are set. */
  get size(): number {
    return this.rules.length;
  }

  /** Adds a rule, or throws an `unprocessable` problem saying what is wrong with it. */
  add(input: FaultRuleInput): FaultRule {
    const { operationId, method, path } = this.resolveTarget(input);
    if (input.status === undefined && input.delay === undefined && !input.drop) {
      throw invalid('A fault rule needs a status, a delay or drop: true.');
    }
    if (input.status !== undefined && !(Number.isInteger(input.status) && input.status >= 400)) {
      throw invalid('A fault rule status must be an error status (400 or more); use delay alone to slow a success down.');
    }
    if (input.status !== undefined) checkStatus(this.responses, operationId, input.status, { allowServerErrors: true });
    if (input.status !== undefined && input.drop) throw invalid('A rule either answers with a status or drops the connection, not both.');
    const delay = input.delay ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_MS) throw invalid(`delay must be 0 to ${MAX_DELAY_MS} ms.`);
    const times = input.times ?? 'always';
    if (typeof times === 'number' && (!Number.isInteger(times) || times < 1)) throw invalid('times must be once, always or a whole number of at least 1.');
    this.lastId += 1;
    const rule: StoredRule = {
      id: `fault_${this.lastId}`,
      operationId,
      method,
      path,
      tenant: input.tenant ?? null,
      status: input.status ?? null,
      delay,
      drop: input.drop ?? false,
      times,
      remaining: times === 'always' ? null : times === 'once' ? 1 : times,
      hits: 0,
      pattern: path === null ? null : pathPattern(path),
    };
    this.rules.push(rule);
    return view(rule);
  }

  list(): FaultRule[] {
    return this.rules.map(view);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  /** Removes every rule, or only the rules scoped to one tenant. */
  clear(tenant?: string): void {
    this.rules = tenant === undefined ? [] : this.rules.filter((r) => r.tenant !== tenant);
  }

  /** The first rule matching the request, with one use taken; undefined when none matches. */
  take(request: { operationId: string; path: string; tenant: string | null }): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.operationId === request.operationId &&
        (r.pattern === null || r.pattern.test(request.path)) &&
        (r.tenant === null || r.tenant === request.tenant),
    );
    if (!rule) return undefined;
    rule.hits += 1;
    if (rule.remaining !== null) {
      rule.remaining -= 1;
      if (rule.remaining === 0) this.remove(rule.id);
    }
    return view(rule);
  }

  private resolveTarget(input: FaultRuleInput): { operationId: string; method: string | null; path: string | null } {
    if (input.path === undefined) {
      if (input.operationId === undefined) throw invalid('A fault rule needs an operationId, or a method and a path.');
      if (!this.responses.has(input.operationId)) throw invalid(`The spec has no operation '${input.operationId}'.`);
      return { operationId: input.operationId, method: input.method?.toUpperCase() ?? null, path: null };
    }
    if (input.method === undefined) throw invalid('A fault rule with a path needs a method too.');
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

/**
 * Applies `Prefer: code=/delay=` and the fault rules to an API request whose operation is known (its
 * `RequestContext`). An injected error answers before any handler runs, so it stores nothing.
 * A `Prefer` header wins over the rules, and then no rule is used up.
 */
export function injectFaults(rules: FaultRules, responses: DocumentedResponses): RequestHandler {
  return (req, res, next) => {
    const context = contextOf(req);
    const operationId = context.operation!.operationId;
    let fault: FaultApplied | undefined;
    try {
      fault = preferredFault(parsePrefer(req.get('prefer')), operationId, responses);
    } catch (error) {
      next(error);
      return;
    }
    if (!fault && rules.size > 0) {
      const path = req.originalUrl.split('?')[0]!;
      const rule = rules.take({ operationId, path, tenant: context.tenant });
      if (rule) fault = { source: 'rule', ruleId: rule.id, status: rule.status, delayMs: rule.delay, dropped: rule.drop };
    }
    // Most requests have no fault: they go on synchronously, with no promise made for them.
    if (!fault) {
      next();
      return;
    }
    context.fault = fault;
    return applyFault(fault, req, res, next, responses, operationId);
  };
}

async function applyFault(
  fault: FaultApplied,
  req: Request,
  res: Response,
  next: NextFunction,
  responses: DocumentedResponses,
  operationId: string,
): Promise<void> {
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.dropped) {
    req.socket.destroy();
    return;
  }
  if (fault.status === null) {
    next();
    return;
  }
  res.set('X-Mock-Fault', fault.ruleId ?? 'prefer');
  sendFault(res, fault.status, responses.shapeOf(operationId, fault.status)?.body ?? 'problem', fault);
}

function preferredFault(prefer: Preferences, operationId: string, responses: DocumentedResponses): FaultApplied | undefined {
  if (prefer.code === undefined && prefer.delay === undefined) return undefined;
  if (prefer.code !== undefined) checkStatus(responses, operationId, prefer.code, { allowServerErrors: false });
  const status = prefer.code !== undefined && prefer.code >= 400 ? prefer.code : null;
  if (status === null && !prefer.delay) return undefined;
  return { source: 'prefer', ruleId: null, status, delayMs: prefer.delay ?? 0, dropped: false };
}

/** A status may be injected when the operation documents it; rules may also inject any 5xx. */
function checkStatus(responses: DocumentedResponses, operationId: string, status: number, options: { allowServerErrors: boolean }): void {
  const documented = responses.statusesOf(operationId);
  if (documented.includes(status)) return;
  if (options.allowServerErrors && Number.isInteger(status) && status >= 500 && status <= 599) return;
  throw invalid(
    `Operation '${operationId}' does not document status ${status}; it documents ${documented.join(', ')}` +
      (options.allowServerErrors ? ' (fault rules may also use any 5xx).' : '.'),
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

function pathPattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/:]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}/?$`);
}

function invalid(detail: string) {
  return problem('unprocessable', detail);
}

function view(rule: StoredRule): FaultRule {
  const { pattern: _pattern, ...rest } = rule;
  return { ...rest };
}
