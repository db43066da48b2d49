import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { sendProblem } from '../http/errors.js';
import { isLoopbackName, ownOrigins } from '../http/host-check.js';
import { problem } from '../http/problems.js';
import { INSPECTOR_ASSETS } from './inspector.js';

/** Who may call `/__mock`. */
export type ControlAccess = {
  /** Every control call but the consent page needs `Authorization: Bearer <token>`; undefined: none. */
  token: string | undefined;
  /** Origins whose pages may call the control plane (with the token); never `*`. */
  corsOrigins: readonly string[];
};

/** A combination of options the mock refuses to start with. */
export class AccessOptionsError extends Error {}

/** The options `resolveControlAccess` reads. */
export type AccessOptions = {
  host: string;
  jwtSecret: string | undefined;
  controlToken: string | undefined;
  controlCorsOrigins: readonly string[];
};

/**
 * The control plane's access at start-up. `control-token-when-exposed`: listening beyond loopback, or strict
 * mode, needs a control token; without one given, a random one is generated (`generated: true`) for the
 * caller to print once. `control-cors-needs-token`: `--control-cors` needs an explicit token and lists origins, never `*`.
 */
export function resolveControlAccess(options: AccessOptions): ControlAccess & { generated: boolean } {
  const origins = [...options.controlCorsOrigins];
  if (origins.includes('*')) {
    throw new AccessOptionsError("--control-cors takes a list of origins, never '*': any page could then drive the control plane");
  }
  for (const origin of origins) {
    if (!isOrigin(origin)) throw new AccessOptionsError(`--control-cors: '${origin}' is not an origin such as http://localhost:5173`);
  }
  if (origins.length > 0 && !options.controlToken) {
    throw new AccessOptionsError('--control-cors needs --control-token: pages on the listed origins must send it');
  }
  if (options.controlToken) return { token: options.controlToken, corsOrigins: origins, generated: false };
  if (!isLoopbackName(options.host) || options.jwtSecret !== undefined) {
    return { token: randomBytes(24).toString('base64url'), corsOrigins: origins, generated: true };
  }
  return { token: undefined, corsOrigins: origins, generated: false };
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

const CONSENT_PATH = '/oauth/authorize';
const FETCH_SITES_FOREIGN = new Set(['cross-site', 'same-site']);
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';

/**
 * Guards `/__mock` (mounted there, so `req.path` is the control path). In order:
 * - `control-no-cors` / `control-cors-listed-origins`: no CORS, except for the listed origins (preflights
 *   answered here, without the token, as browsers send them).
 * - `control-foreign-origin`: a foreign `Origin` (or `null`), or `Sec-Fetch-Site: cross-site` / `same-site`,
 *   is a 403, except for a listed origin and the consent page itself (`GET /oauth/authorize`), which any
 *   page may open as a popup.
 * - `control-token`: with a token configured, every call but the consent page (which a popup cannot send
 *   it to; its form carries a CSRF token instead) and the inspector's static page, script and style needs
 *   `Authorization: Bearer <token>` (401 otherwise).
 * - `state-secrets-need-token`: `GET /state?includeSecrets=true` is a 403 unless a token is configured.
 */
export function guardControlPlane(access: ControlAccess): RequestHandler {
  const listed = new Set(access.corsOrigins);
  const expected = access.token === undefined ? undefined : digest(access.token);
  return (req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    const origin = req.get('origin');
    const isConsent = req.path === CONSENT_PATH;
    if (isConsent && req.method === 'GET') {
      next();
      return;
    }
    const fromListed = origin !== undefined && listed.has(origin);
    if (fromListed) allowListedOrigin(req, res, origin);
    if (origin !== undefined) res.vary('Origin');
    if (req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined) {
      if (fromListed) {
        res.status(204).end();
        return;
      }
      sendProblem(res, problem('crossOriginControl', foreignDetail(origin)));
      return;
    }
    const sameOrigin = origin !== undefined && ownOrigins(req).includes(origin.toLowerCase());
    const foreign = origin !== undefined ? !sameOrigin : FETCH_SITES_FOREIGN.has(req.get('sec-fetch-site') ?? '');
    if (foreign && !(fromListed && !isConsent)) {
      sendProblem(res, problem('crossOriginControl', foreignDetail(origin)));
      return;
    }
    // The inspector's page, script and style hold no data (see inspector.ts): an address bar cannot send a token.
    if (isConsent || (req.method === 'GET' && INSPECTOR_ASSETS.has(req.path))) {
      next();
      return;
    }
    if (expected !== undefined && !bearerMatches(req, expected)) {
      sendProblem(
        res,
        problem('controlTokenMissing', 'Send the control token as Authorization: Bearer <token> (see --control-token).', {
          headers: { 'WWW-Authenticate': 'Bearer realm="fruxon-mock control plane"' },
        }),
      );
      return;
    }
    if (expected === undefined && req.path === '/state' && req.method === 'GET' && (req.query as Record<string, unknown>).includeSecrets === 'true') {
      sendProblem(res, problem('secretsNeedToken', 'includeSecrets=true is refused unless the mock runs with --control-token and the call sends it.'));
      return;
    }
    next();
  };
}

function allowListedOrigin(req: Request, res: Response, origin: string): void {
  res.set('Access-Control-Allow-Origin', origin);
  res.set('Access-Control-Expose-Headers', 'WWW-Authenticate');
  if (req.method === 'OPTIONS') {
    res.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.set('Access-Control-Max-Age', '600');
  }
}

function foreignDetail(origin: string | undefined): string {
  const from = origin === undefined ? 'a page of another site' : `'${origin.slice(0, 200)}'`;
  return `The control plane answers only the mock's own pages and non-browser clients, not ${from}. A test page on another origin needs --control-cors ORIGINS and --control-token.`;
}

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

function bearerMatches(req: Request, expected: Buffer): boolean {
  const sent = BEARER.exec(req.get('authorization') ?? '')?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), expected);
}

/** Compared as digests, so neither the length nor the bytes of the token leak through timing. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
