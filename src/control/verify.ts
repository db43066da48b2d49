import { problem, type FieldErrors } from '../http/problems.js';
import type { LoggedRequest, RequestFilter } from './request-log.js';
import { firstMismatch } from './rule-input.js';

/** How many matching requests `verify` expects: exactly a number, or a range; at least 1 by default. */
export type VerifyTimes = number | { atLeast?: number; atMost?: number };

/** What `mock.verify` and `POST /__mock/verify` take: which requests, and how many of them. */
export type VerifyInput = {
  operationId?: string;
  method?: string;
  /** A path prefix, as the journal filter takes it. */
  path?: string;
  tenant?: string;
  status?: number;
  /** The recorded request body holds these fields with these values (credential values are recorded `[redacted]`). */
  bodyMatches?: unknown;
  times?: VerifyTimes;
};

/** What a verification that held found. */
export type VerifyResult = { matched: number; requests: LoggedRequest[] };

const FIELDS = ['operationId', 'method', 'path', 'tenant', 'status', 'bodyMatches', 'times'];
/** How many near misses a failed verification lists. */
const SHOWN = 10;

/** Checks the shape of a verification, the same in-process and over HTTP (a 400 `validation` problem). */
export function checkVerifyShape(input: unknown): asserts input is VerifyInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw problem('validation', 'A verification must be a JSON object.', { errors: { body: ['must be an object'] } });
  }
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  const v = input as Record<string, unknown>;
  for (const name of Object.keys(v)) if (!FIELDS.includes(name)) errors[name] = [`is not a field of a verification (it has: ${FIELDS.join(', ')})`];
  for (const name of ['operationId', 'method', 'path', 'tenant']) {
    if (v[name] !== undefined && typeof v[name] !== 'string') errors[name] = ['must be a string'];
  }
  if (v.status !== undefined && !(Number.isInteger(v.status) && (v.status as number) >= 100 && (v.status as number) <= 599)) errors.status = ['must be an HTTP status'];
  if (v.times !== undefined && !isTimes(v.times)) errors.times = ['must be a whole number of at least 0, or {atLeast, atMost} with whole numbers'];
  const names = Object.keys(errors);
  if (names.length > 0) throw problem('validation', `The verification is not valid: ${names.map((n) => `${n} ${errors[n]![0]}`).join('; ')}.`, { errors });
}

function isTimes(value: unknown): boolean {
  const count = (n: unknown) => n === undefined || (Number.isInteger(n) && (n as number) >= 0);
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { atLeast, atMost, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && count(atLeast) && count(atMost) && (atLeast === undefined || atMost === undefined || (atLeast as number) <= (atMost as number));
}

/**
 * Counts the journal entries matching `input` and throws a `verificationFailed` problem when there are not
 * as many as `times` asks: its detail says what was expected and lists the near misses, each with why it
 * did not match. `list` is the journal's (checked) filter, so an unknown operation id is refused there;
 * `journal` says how many requests it dropped, which a failure mentions.
 */
export function verifyRequests(
  input: VerifyInput,
  list: (filter: RequestFilter) => LoggedRequest[],
  journal: { capacity: number; dropped: number },
): VerifyResult {
  checkVerifyShape(input);
  const { bodyMatches, times = { atLeast: 1 }, ...rest } = input;
  const filter: RequestFilter = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const candidates = list(filter);
  const requests = bodyMatches === undefined ? candidates : candidates.filter((e) => firstMismatch(e.requestBody, bodyMatches, '') === undefined);
  const { atLeast, atMost } = typeof times === 'number' ? { atLeast: times, atMost: times } : times;
  const matched = requests.length;
  if ((atLeast === undefined || matched >= atLeast) && (atMost === undefined || matched <= atMost)) return { matched, requests };

  const expected = describeTimes(atLeast, atMost);
  const lines = [`Expected ${expected} matching ${describeInput(input)}; received ${matched}.`];
  if (matched > 0) {
    lines.push('Matching requests (newest first):', ...requests.slice(0, SHOWN).map((e) => `  ${describeEntry(e)}`));
  }
  if (matched < (atLeast ?? 0)) {
    const matchedIds = new Set(requests.map((r) => r.id));
    // The requests a reader most likely meant: of the operation (or path) asked for, else any.
    const near = list(input.operationId ? { operationId: input.operationId } : input.path ? { path: input.path } : {}).filter((e) => !matchedIds.has(e.id));
    const whose = input.operationId ? `to ${input.operationId}` : input.path ? `under ${input.path}` : 'in the journal';
    if (near.length === 0) lines.push(`No other requests ${whose}.`);
    else {
      lines.push(`Other requests ${whose} (${near.length}, newest first):`);
      for (const e of near.slice(0, SHOWN)) lines.push(`  ${describeEntry(e)}: ${whyNot(e, input)}`);
      if (near.length > SHOWN) lines.push(`  … and ${near.length - SHOWN} more`);
    }
    // journal-size-and-drops: requests the journal no longer holds cannot be counted; say so.
    if (journal.dropped > 0) {
      lines.push(
        `The journal keeps the newest ${journal.capacity} requests (--journal-size, startMock({ journalSize })): ` +
          `${journal.dropped} older ones were dropped and are not counted.`,
      );
    }
  }
  throw problem('verificationFailed', lines.join('\n'), { matched, received: requests.slice(0, SHOWN).map((e) => e.id) });
}

function describeTimes(atLeast: number | undefined, atMost: number | undefined): string {
  const n = (count: number) => `${count} request${count === 1 ? '' : 's'}`;
  if (atLeast !== undefined && atLeast === atMost) return `exactly ${n(atLeast)}`;
  if (atLeast !== undefined && atMost !== undefined) return `${atLeast} to ${n(atMost)}`;
  if (atMost !== undefined) return `at most ${n(atMost)}`;
  return `at least ${n(atLeast ?? 0)}`;
}

function describeInput(input: VerifyInput): string {
  const parts: string[] = [];
  if (input.operationId) parts.push(`operationId ${input.operationId}`);
  if (input.method) parts.push(`method ${input.method.toUpperCase()}`);
  if (input.path) parts.push(`path ${input.path}*`);
  if (input.tenant) parts.push(`tenant ${input.tenant}`);
  if (input.status !== undefined) parts.push(`status ${input.status}`);
  if (input.bodyMatches !== undefined) parts.push(`a body holding ${JSON.stringify(input.bodyMatches)}`);
  return parts.length > 0 ? parts.join(', ') : 'any request';
}

function describeEntry(e: LoggedRequest): string {
  return `#${e.id} ${e.method} ${e.path} -> ${e.status ?? 'dropped'}`;
}

/** The first criterion an entry fails, as a reader would put it. */
function whyNot(e: LoggedRequest, input: VerifyInput): string {
  if (input.operationId && e.operationId !== input.operationId) return `operation ${e.operationId ?? 'none'}, not ${input.operationId}`;
  if (input.method && e.method !== input.method.toUpperCase()) return `method ${e.method}, not ${input.method.toUpperCase()}`;
  if (input.path && !e.path.startsWith(input.path)) return `path not under ${input.path}`;
  if (input.tenant && e.tenant !== input.tenant) return `tenant ${e.tenant ?? 'none'}, not ${input.tenant}`;
  if (input.status !== undefined && e.status !== input.status) return `status ${e.status ?? 'none (dropped)'}, not ${input.status}`;
  if (input.bodyMatches !== undefined) return firstMismatch(e.requestBody, input.bodyMatches, '') ?? 'matches';
  return 'matches';
}
