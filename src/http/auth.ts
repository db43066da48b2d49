import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { contextOf } from '../control/request-log.js';
import type { Clock, Generator } from '../generate/generator.js';

const BEARER = /^Bearer[ ]+([^\s]+)\s*$/i;

const MAX_CACHED_USERS = 10_000;

/** Who the request acts as; set by `requireBearer` on the request's context. */
export type Caller = { token: string; user: string };

export type AuthOptions = {
  generator: Generator;
  clock: Clock;
  /**
   * Strict mode: tokens must be HS256 JWTs signed with this secret and not expired (401 otherwise), and a
   * `tenant` claim must name the path's tenant (403 otherwise). Undefined: any non-empty token is accepted.
   */
  jwtSecret?: string | undefined;
};

/**
 * Every `/v1` call needs `Authorization: Bearer <token>`. A missing, malformed or (in strict mode)
 * invalid token is a 401 with `WWW-Authenticate: Bearer` and no body, and a token for another tenant a
 * 403 with no body, as the docs show for 401 and 403.
 */
export function requireBearer(options: AuthOptions): RequestHandler {
  // A token's user is a pure function of the seed and the token; faking it costs more than the rest of a GET.
  const callers = new Map<string, Readonly<Caller>>();
  return (req, res, next) => {
    const context = contextOf(req);
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match) {
      res.status(401).set('WWW-Authenticate', 'Bearer').end();
      return;
    }
    const token = match[1]!;
    if (options.jwtSecret !== undefined) {
      const verdict = verifyHs256(token, options.jwtSecret, options.clock());
      if (verdict.kind === 'invalid') {
        res.status(401).set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${verdict.reason}"`).end();
        return;
      }
      const claimed = verdict.claims.tenant;
      if (claimed !== undefined && claimed !== context.tenant) {
        res.status(403).end();
        return;
      }
    }
    let caller = callers.get(token);
    if (caller === undefined) {
      if (callers.size >= MAX_CACHED_USERS) callers.clear();
      callers.set(token, (caller = { token, user: userOf(token, options.generator) }));
    }
    context.caller = caller;
    next();
  };
}

type Verdict = { kind: 'valid'; claims: Record<string, unknown> } | { kind: 'invalid'; reason: string };

/** Checks an HS256 JWT's signature, `exp` and `nbf` (seconds) against `nowMs`. */
export function verifyHs256(token: string, secret: string, nowMs: number): Verdict {
  const parts = token.split('.');
  if (parts.length !== 3) return { kind: 'invalid', reason: 'not a JWT' };
  const [header, payload, signature] = parts as [string, string, string];
  const head = decodeJson(header);
  if (head?.alg !== 'HS256') return { kind: 'invalid', reason: 'alg must be HS256' };
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { kind: 'invalid', reason: 'bad signature' };
  }
  const claims = decodeJson(payload);
  if (!claims) return { kind: 'invalid', reason: 'payload is not a JSON object' };
  const now = nowMs / 1000;
  if (claims.exp !== undefined && !(typeof claims.exp === 'number' && claims.exp > now)) {
    return { kind: 'invalid', reason: 'expired' };
  }
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= now)) {
    return { kind: 'invalid', reason: 'not yet valid' };
  }
  return { kind: 'valid', claims };
}

/** The JWT's `sub` (or `email`) when the token is a JWT, else a stable faked e-mail for the token. */
export function userOf(token: string, generator: Generator): string {
  const claims = token.split('.').length === 3 ? decodeJson(token.split('.')[1]!) : undefined;
  const named = claims?.sub ?? claims?.email;
  if (typeof named === 'string' && named.length > 0) return named;
  return generator.fakerFor(token, 'user').internet.email().toLowerCase();
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
