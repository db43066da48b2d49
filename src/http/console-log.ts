import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { findContext } from '../control/request-log.js';
import { ANY_ORIGIN } from './cors.js';

/** The longest short error a line carries. */
const SHORT = 140;

/**
 * One line per request as it ends, for a developer watching the console (`--log`): method, URL, status,
 * duration, operation id, what a fault rule or stub did, and for a 4xx the first validation error or the
 * problem's detail, in short. A CORS preflight that got no CORS headers says why. The control plane's own
 * calls (a test suite's resets, an inspector's polling) are left out. Mount it first, so it sees preflights,
 * 421s and unknown paths too. It reads only the wall clock and never changes a response.
 */
export function printRequests(print: (line: string) => void, corsOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (req.path === '/__mock' || req.path.startsWith('/__mock/')) {
      next();
      return;
    }
    const startedAt = performance.now();
    res.on('close', () => print(lineOf(req, res, performance.now() - startedAt, corsOrigins)));
    next();
  };
}

function lineOf(req: Request, res: Response, ms: number, corsOrigins: readonly string[]): string {
  const status = res.writableFinished ? String(res.statusCode) : 'dropped';
  const context = findContext(req);
  const parts = [req.method, req.originalUrl, status, `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`];
  if (context?.operation) parts.push(context.operation.operationId);
  if (context?.fault) parts.push(`[${context.fault.source === 'prefer' ? 'Prefer' : context.fault.ruleId}]`);
  const refused = refusedPreflight(req, res, corsOrigins);
  if (refused) return `${parts.join(' ')} - preflight refused: ${refused}`;
  if (res.statusCode >= 400 && res.statusCode < 500 && res.writableFinished) {
    const short = shortError(context?.responseBody);
    if (short) return `${parts.join(' ')} - ${short}`;
  }
  return parts.join(' ');
}

function refusedPreflight(req: Request, res: Response, corsOrigins: readonly string[]): string | undefined {
  const origin = req.get('origin');
  if (req.method !== 'OPTIONS' || !origin || req.get('access-control-request-method') === undefined) return undefined;
  if (res.get('Access-Control-Allow-Origin')) return undefined;
  if (corsOrigins.length === 0) return 'CORS is off (--cors off)';
  if (corsOrigins.includes(ANY_ORIGIN)) return undefined;
  return `origin ${origin} is not in --cors (${corsOrigins.join(', ')})`;
}

/** The first field error of a problem (and how many more), else its detail; cut to one short line. */
function shortError(body: string | undefined): string | undefined {
  if (!body) return undefined;
  let problem: { detail?: unknown; errors?: Record<string, string[]> };
  try {
    problem = JSON.parse(body) as typeof problem;
  } catch {
    return undefined;
  }
  const errors = Object.entries(problem.errors ?? {}).flatMap(([field, messages]) => messages.map((m) => `${field}: ${m}`));
  const text = errors.length > 0 ? `${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}` : typeof problem.detail === 'string' ? problem.detail : '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SHORT ? `${line.slice(0, SHORT - 3)}...` : line || undefined;
}
