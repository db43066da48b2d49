import type { RequestHandler } from 'express';

/** Any origin. */
export const ANY_ORIGIN = '*';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSED_HEADERS = 'WWW-Authenticate, Allow, X-Mock-Violations, X-Mock-Fault, X-Mock-Stub, X-Mock-Revision';

/**
 * CORS, so a browser app served from another port can call the mock. `origins` lists the allowed origins
 * (`*` for any; empty turns CORS off). A preflight is answered here, before route matching and auth, since
 * browsers send it without credentials.
 */
export function allowCors(origins: readonly string[]): RequestHandler {
  const anyOrigin = origins.includes(ANY_ORIGIN);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origins.length === 0 || !origin) {
      next();
      return;
    }
    const allowed = anyOrigin || origins.includes(origin);
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    res.vary('Origin');
    if (allowed) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    if (!preflight) {
      next();
      return;
    }
    if (allowed) {
      res.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.set('Access-Control-Allow-Headers', req.get('access-control-request-headers') ?? 'Authorization, Content-Type, Prefer');
      res.set('Access-Control-Max-Age', '600');
    }
    // A disallowed origin gets no CORS headers, which is how a browser learns it may not call.
    res.status(204).end();
  };
}
