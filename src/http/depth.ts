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

/** Nesting depth of a JSON value, computed without recursion. */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}
