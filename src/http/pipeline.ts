import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { escapeRegExp } from './routes.js';

export type Step = RequestHandler | ErrorRequestHandler;

/**
 * Runs `steps` in order as one Express middleware, with Express's rules for passing control: `next()` goes
 * to the next request handler, `next(error)` (or a throw, or a rejected promise) to the next error handler
 * (four parameters), and running out of steps hands the error, if any, to the app's own `next`.
 *
 * The API's dozen middlewares each cost a trip through Express's router per request (a layer match, a
 * prefix trim and restore, a closure); as one middleware they cost a loop.
 */
export function pipeline(steps: readonly (Step | readonly Step[])[]): RequestHandler {
  const flat = steps.flat() as Step[];
  return (req, res, done) => {
    let index = 0;
    const next: NextFunction = (error?: unknown) => {
      while (index < flat.length) {
        const step = flat[index++]!;
        const handlesErrors = step.length === 4;
        if (hasError(error) !== handlesErrors) continue;
        try {
          const result = handlesErrors
            ? (step as ErrorRequestHandler)(error, req, res, next)
            : (step as RequestHandler)(req, res, next);
          if (isPromise(result)) result.then(undefined, (rejection: unknown) => next(rejection ?? new Error('Rejected promise')));
        } catch (thrown) {
          next(thrown);
        }
        return;
      }
      done(error);
    };
    next();
  };
}

/** Express treats `undefined`, `null` and `'route'` / `'router'` as "no error"; none of our steps use the latter. */
function hasError(error: unknown): boolean {
  return error !== undefined && error !== null;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Runs `handler` for requests under `prefix` (matched as Express mounts do: case-insensitively, at a `/` or `?` boundary). */
export function under(prefix: string, handler: RequestHandler): RequestHandler {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}(?:[/?]|$)`, 'i');
  return (req: Request, res: Response, next: NextFunction) => (pattern.test(req.url) ? handler(req, res, next) : next());
}
