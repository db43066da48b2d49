import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { sendProblem } from './errors.js';
import { problem } from './problems.js';

/** Which host names the mock answers to, and where the URLs it hands out point. */
export type HostPolicy = {
  /** Host names (or IP literals) answered besides the loopback ones; the public URL's host is added. */
  allowedHosts: readonly string[];
  /** The base of every URL handed out (`authorizationUrl`, consent links, webhook URLs), without a trailing `/`. */
  publicUrl: string | undefined;
  /** Take the scheme and host a client used from `X-Forwarded-Proto` / `X-Forwarded-Host`. */
  trustProxy: boolean;
};

/** The policy of the app a request is in, for `baseUrlOf` and `ownOrigins`: one property per request, set by `checkHost`. */
const POLICY = Symbol('host policy');
type Stamped = Request & { [POLICY]?: HostPolicy };

const MAX_CACHED_HOSTS = 1000;

/**
 * `host-allowlist`: a request whose host name is not loopback, an allowed host (the listen address) or the
 * public URL's host is a 421, before anything else runs, so a page that rebinds its own DNS name to
 * 127.0.0.1 reaches nothing. With `trustProxy`, the name checked is `X-Forwarded-Host` when sent.
 */
export function checkHost(given: HostPolicy): RequestHandler {
  const policy = { ...given, publicUrl: given.publicUrl?.replace(/\/+$/, '') || undefined };
  const allowed = new Set(policy.allowedHosts.map(normalizeHostname));
  if (policy.publicUrl) allowed.add(normalizeHostname(new URL(policy.publicUrl).hostname));
  const verdicts = new Map<string, boolean>();
  const isAllowed = (host: string): boolean => {
    let verdict = verdicts.get(host);
    if (verdict === undefined) {
      const name = hostnameOf(host);
      verdict = name !== undefined && (isLoopbackName(name) || allowed.has(name));
      if (verdicts.size >= MAX_CACHED_HOSTS) verdicts.clear();
      verdicts.set(host, verdict);
    }
    return verdict;
  };
  return (req: Stamped, res, next) => {
    const host = (policy.trustProxy && firstValue(req.headers['x-forwarded-host'])) || (req.headers.host ?? '');
    if (!isAllowed(host)) {
      sendProblem(
        res,
        problem(
          'hostNotAllowed',
          `This mock does not answer to the host '${printable(host)}'. Use a loopback address, the address it listens on, or start it with --public-url (or --allowed-hosts) naming this host.`,
        ),
      );
      return;
    }
    req[POLICY] = policy;
    next();
  };
}

/**
 * `public-url-base`: the base of every URL the mock hands out, without a trailing `/`: `--public-url` when
 * set; else the scheme and host the client used, which `checkHost` has held to the allowed names (and which
 * come from `X-Forwarded-*` only with `--trust-proxy`).
 */
export function baseUrlOf(req: Request): string {
  const policy = (req as Stamped)[POLICY];
  if (policy?.publicUrl) return policy.publicUrl;
  const { proto, host } = effectiveOrigin(req, policy?.trustProxy ?? false);
  return `${proto}://${host}`;
}

/** The origins a same-origin browser request to the mock can carry: the one the client used, and the public URL's. */
export function ownOrigins(req: Request): string[] {
  const policy = (req as Stamped)[POLICY];
  const { proto, host } = effectiveOrigin(req, policy?.trustProxy ?? false);
  const origins = [`${proto}://${host.toLowerCase()}`];
  if (policy?.publicUrl) origins.push(new URL(policy.publicUrl).origin);
  return origins;
}

/** `trust-proxy`: `X-Forwarded-Proto` and `X-Forwarded-Host` (their first values) count only when trusted. */
/** The scheme and host a request was made to, as the mock may believe them. */
function effectiveOrigin(req: Request, trustProxy: boolean): { proto: string; host: string } {
  const host = req.headers.host ?? '';
  if (!trustProxy) return { proto: 'http', host };
  const forwardedProto = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase();
  const forwardedHost = firstValue(req.headers['x-forwarded-host']);
  return {
    proto: forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : 'http',
    host: forwardedHost || host,
  };
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  return text?.split(',')[0]?.trim();
}

/** The host name of a `Host` value (`name`, `name:port`, `[v6]:port`), lower-case; undefined when malformed. */
export function hostnameOf(host: string): string | undefined {
  if (!/^[\w.~%!$&'()*+,;=:[\]-]+$/.test(host)) return undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d*)?$/i.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  const match = /^([^:]+)(?::\d*)?$/.exec(host);
  return match ? normalizeHostname(match[1]!) : undefined;
}

function normalizeHostname(name: string): string {
  return name.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address). */
export function isLoopbackName(name: string): boolean {
  const bare = normalizeHostname(name);
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || /^(0{1,4}:){7}0{0,3}1$/.test(bare);
  return false;
}

function printable(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 200 ? `${ascii.slice(0, 197)}...` : ascii;
}
