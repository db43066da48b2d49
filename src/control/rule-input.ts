import { MAX_BODY_DEPTH, depthOf } from '../http/depth.js';
import { problem, type FieldErrors, type ProblemError } from '../http/problems.js';

/** How many requests a rule applies to. */
export type FaultTimes = 'once' | 'always' | number;

/** Which requests a fault rule or a stub applies to, and how often; shared by both. */
export type RuleMatchInput = {
  /** Optional: `fault` for addFault, `stub` for addStub, so a listed rule can be posted back as it is. */
  kind?: RuleKind;
  operationId?: string;
  /** With `path`: the HTTP method of the requests to match. */
  method?: string;
  /** A spec path template (`/v1/tenants/{tenant}/…`) or a concrete path; `{name}` matches one segment. */
  path?: string;
  /** Only requests of this tenant. */
  tenant?: string;
  /** Only requests whose JSON body holds these fields with these values (a partial match: see `bodyMatches`). */
  bodyMatches?: unknown;
  /** Higher first; rules of the same priority apply in the order they were added. 0 by default. */
  priority?: number;
  /** `always` by default. */
  times?: FaultTimes;
};

/** What `POST /__mock/faults` and `addFault` take: which requests, and what goes wrong with them. */
export type FaultRuleInput = RuleMatchInput & {
  /** Answer with this error status instead: one the operation documents, or any 5xx. */
  status?: number;
  /** Wait this many milliseconds first. */
  delay?: number;
  /** Close the connection without answering. */
  drop?: boolean;
};

/** What `POST /__mock/stubs` and `addStub` take: which requests, and the answer they get instead. */
export type StubInput = RuleMatchInput & {
  /** Any status from 200 to 599. */
  status: number;
  /** Response headers; `Content-Type` is `application/json` unless given. */
  headers?: Record<string, string>;
  /** The JSON body; none when absent. */
  body?: unknown;
  /** Wait this many milliseconds first. */
  delay?: number;
};

export type RuleKind = 'fault' | 'stub';

/** The longest delay a rule, the latency settings or `Prefer: delay=` may ask for, in ms. */
export const MAX_DELAY_MS = 60_000;
export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

type FieldCheck = (value: unknown) => string | undefined;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

const text = (max: number): FieldCheck => (v) =>
  typeof v !== 'string' ? 'must be a string' : v.length > max ? `must be at most ${max} characters` : undefined;
const wholeNumber = (min: number, max: number): FieldCheck => (v) =>
  typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max ? `must be a whole number from ${min} to ${max}` : undefined;

const MATCH_FIELDS: Record<string, FieldCheck> = {
  operationId: text(200),
  method: (v) => (typeof v === 'string' && METHODS.includes(v.toUpperCase()) ? undefined : `must be one of ${METHODS.join(', ')}`),
  path: text(2000),
  tenant: text(128),
  bodyMatches: shallowJson,
  priority: wholeNumber(MIN_PRIORITY, MAX_PRIORITY),
  times: (v) => (v === 'once' || v === 'always' || (typeof v === 'number' && Number.isInteger(v) && v >= 1) ? undefined : 'must be once, always or a whole number of at least 1'),
  delay: wholeNumber(0, MAX_DELAY_MS),
};

/** The fields each kind of rule takes; spec/control.yaml's FaultRuleInput and StubInput have the same (a test holds them to it). */
export const RULE_FIELDS: Record<RuleKind, Record<string, FieldCheck>> = {
  fault: {
    // A rule as listed can be posted back without its id, hits and remaining (the inspector's toggle does).
    kind: (v) => (v === 'fault' ? undefined : "must be 'fault' here (a stub goes to addStub, POST /__mock/stubs)"),
    ...MATCH_FIELDS,
    status: wholeNumber(100, 599),
    drop: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  },
  stub: {
    kind: (v) => (v === 'stub' ? undefined : "must be 'stub' here (a fault rule goes to addFault, POST /__mock/faults)"),
    ...MATCH_FIELDS,
    status: wholeNumber(200, 599),
    headers: checkHeaders,
    body: shallowJson,
  },
};

/**
 * Checks the shape of a rule, field by field, for `addFault`/`addStub` and `POST /__mock/faults|stubs` alike:
 * a 400 `validation` problem listing every field at fault, the same text both ways.
 */
export function checkRuleShape(kind: RuleKind, input: unknown): asserts input is Record<string, unknown> {
  const noun = kind === 'fault' ? 'fault rule' : 'stub';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw problem('validation', `A ${noun} must be a JSON object.`, { errors: { body: ['must be an object'] } });
  }
  const fields = RULE_FIELDS[kind];
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  for (const [name, value] of Object.entries(input)) {
    const check = Object.hasOwn(fields, name) ? fields[name]! : undefined;
    const message = check ? (value === undefined ? undefined : check(value)) : `is not a field of a ${noun} (it has: ${Object.keys(fields).join(', ')})`;
    if (message) errors[name] = [message];
  }
  if (kind === 'stub' && (input as { status?: unknown }).status === undefined) errors.status = ['is required'];
  const names = Object.keys(errors);
  if (names.length > 0) {
    throw problem('validation', `The ${noun} is not valid: ${names.map((n) => `${n} ${errors[n]![0]}`).join('; ')}.`, { errors });
  }
}

/** Any JSON value nested no deeper than a request body may be (so copying and matching it stays cheap). */
function shallowJson(value: unknown): string | undefined {
  return depthOf(value) > MAX_BODY_DEPTH ? `must not be nested more than ${MAX_BODY_DEPTH} levels deep` : undefined;
}

function checkHeaders(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header names to strings';
  const entries = Object.entries(value);
  if (entries.length > 50) return 'must have at most 50 headers';
  for (const [name, inner] of entries) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `has '${name}', which is not a header name`;
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) return `may not set ${name} (the server sets it)`;
    if (typeof inner !== 'string' || inner.length > 2000 || /[\r\n]/.test(inner)) return `${name} must be a string of at most 2000 characters on one line`;
  }
  return undefined;
}

/** An `unprocessable` problem: a rule of the right shape that cannot apply. */
export function invalidRule(detail: string): ProblemError {
  return problem('unprocessable', detail);
}

/**
 * Whether `actual` holds `expected`: every field of an expected object is in the actual one with a matching
 * value (other fields may be there too); arrays match element by element and have the same length; other
 * values are equal.
 */
export function bodyMatches(actual: unknown, expected: unknown): boolean {
  return firstMismatch(actual, expected, '') === undefined;
}

/** Where `actual` first fails to hold `expected`, as `field: expected X, got Y`; undefined when it holds it. */
export function firstMismatch(actual: unknown, expected: unknown, at: string): string | undefined {
  const where = at || 'body';
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) return `${where}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const found = firstMismatch(actual[i], expected[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `${where}: expected an object, got ${show(actual)}`;
    for (const [field, inner] of Object.entries(expected)) {
      const path = at ? `${at}.${field}` : field;
      if (!Object.hasOwn(actual, field)) return `${path}: missing (expected ${show(inner)})`;
      const found = firstMismatch((actual as Record<string, unknown>)[field], inner, path);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${where}: expected ${show(expected)}, got ${show(actual)}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
