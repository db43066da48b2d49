import type { RequestHandler } from 'express';
import { contextOf } from '../control/request-log.js';
import { fieldError, problem } from './problems.js';

/** Deeper than any body the API documents, far shallower than what would exhaust the stack. */
export const MAX_BODY_DEPTH = 32;

/**
 * Rejects JSON bodies nested deeper than MAX_BODY_DEPTH before anything else looks at them: a deep enough
 * body would pass validation and then break serialisation after it had been stored. The request log,
 * which also serialises the body, records a note saying why in its place.
 */
export function limitBodyDepth(max = MAX_BODY_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    if (typeof body === 'object' && body !== null && depthOf(body) > max) {
      contextOf(req).requestBodyNote = `[not recorded: nested more than ${max} levels deep]`;
      next(
        problem('validation', `The request body is nested more than ${max} levels deep.`, {
          errors: fieldError('body', `must not be nested more than ${max} levels deep`),
        }),
      );
      return;
    }
    next();
  };
}

/**
 * Nesting depth of a JSON value, computed without recursion, and without an array per object or pair per
 * child: start-up runs it on every stored record.
 */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: object[] = [];
  const depths: number[] = [];
  const visit = (child: unknown, depth: number) => {
    if (typeof child !== 'object' || child === null) return;
    pending.push(child);
    depths.push(depth);
  };
  visit(value, 1);
  while (pending.length > 0) {
    const current = pending.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth > deepest) deepest = depth;
    if (Array.isArray(current)) for (const child of current) visit(child, depth + 1);
    else for (const key in current) if (Object.hasOwn(current, key)) visit(current[key], depth + 1);
  }
  return deepest;
}
