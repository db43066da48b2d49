import type { RequestHandler } from 'express';
import type { Store } from '../store/store.js';

/**
 * store-write-failure: a read waits for the changes still on their way to disk, so it never shows a record
 * whose write then fails and is undone. Nothing waits when nothing is in flight, so reads cost nothing extra
 * when there are no concurrent writes.
 */
export function readDurableState(store: Store): RequestHandler {
  return (req, _res, next) => {
    const wait = req.method === 'GET' || req.method === 'HEAD' ? store.settled() : undefined;
    if (wait) void wait.then(() => next());
    else next();
  };
}
