import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

type Classes = { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse };

/**
 * The request and response classes for a Node HTTP server that hands every request to `app`: Node's own,
 * constructing objects that already have the app's request and response prototypes.
 *
 * Express gives each request and response the app's prototypes with `Object.setPrototypeOf` as it enters the
 * app. On a fresh object V8 makes that costly, and under load the request's objects then outlive young-generation
 * collections: in a one-route Express app, ~3 MB were promoted to the old generation per scavenge, even with a
 * single connection, against none for plain `node:http`. On an object that already has the prototype, Express's
 * call changes nothing. Measured on that one-route app: nothing promoted, and 3x the requests per second.
 *
 * Node's classes are plain constructor functions, called here on the new object (`Reflect.construct` with
 * the subclass as new target was 4x slower). Should a Node version make them ES classes, Node's own are used.
 */
export function hostClassesFor(app: Express): Classes {
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return { IncomingMessage, ServerResponse };
  const incoming = IncomingMessage as unknown as (this: unknown, ...args: unknown[]) => void;
  const response = ServerResponse as unknown as (this: unknown, ...args: unknown[]) => void;
  function AppRequest(this: unknown, ...args: unknown[]): void {
    incoming.apply(this, args);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: unknown, ...args: unknown[]): void {
    response.apply(this, args);
  }
  AppResponse.prototype = app.response;
  return { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse };
}

function isClass(constructor: unknown): boolean {
  return Function.prototype.toString.call(constructor).startsWith('class');
}
