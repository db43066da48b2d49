import type { RequestHandler } from 'express';
import type { Generator } from '../generate/generator.js';

const BEARER = /^Bearer[ ]+([^\s]+)\s*$/i;

const MAX_CACHED_USERS = 10_000;

/** Who the request acts as; set by `requireBearer`. */
export type Caller = { token: string; user: string };

/**
 * Every `/v1` call needs `Authorization: Bearer <token>`. A missing or malformed header is a 401 with
 * `WWW-Authenticate: Bearer` and no body, as the docs show for 401. Any non-empty token is accepted.
 */
export function requireBearer(generator: Generator): RequestHandler {
  // A token's user is a pure function of the seed and the token; faking it costs more than the rest of a GET.
  const users = new Map<string, string>();
  return (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match) {
      res.status(401).set('WWW-Authenticate', 'Bearer').end();
      return;
    }
    const token = match[1]!;
    let user = users.get(token);
    if (user === undefined) {
      if (users.size >= MAX_CACHED_USERS) users.clear();
      users.set(token, (user = userOf(token, generator)));
    }
    res.locals.caller = { token, user } satisfies Caller;
    next();
  };
}

/** The JWT's `sub` (or `email`) when the token is a JWT, else a stable faked e-mail for the token. */
export function userOf(token: string, generator: Generator): string {
  const claims = decodeJwtPayload(token);
  const named = claims?.sub ?? claims?.email;
  if (typeof named === 'string' && named.length > 0) return named;
  return generator.fakerFor(token, 'user').internet.email().toLowerCase();
}

/** The payload of a JWT-shaped token, unverified; undefined for anything else. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
