import type { RequestHandler } from 'express';
import type { OpenApiDocument } from '../spec.js';
import { contextOf } from '../control/request-log.js';
import { sendProblem } from './errors.js';
import { problem } from './problems.js';

type Parameter = { name?: string; in?: string; $ref?: string };

/**
 * What ASP.NET model binding does with a request before the validator sees it:
 * - rule query-names-case-insensitive: a query name binds whatever its case (`pagesize` is `PageSize`), so it
 *   is renamed to the spelling the spec declares; names the operation does not declare stay as they are and
 *   are ignored (rule unknown-query-ignored: the validator runs with `allowUnknownQueryParameters`);
 * - rule unknown-tenant-404: a tenant id no tenant can have is a 404, as an unknown tenant is.
 * Runs after the route is matched (it reads the operation from the request's context).
 */
export function bindLikeAspNet(spec: OpenApiDocument): RequestHandler {
  const names = queryNamesByOperation(spec);
  return (req, res, next) => {
    const tenant = tenantOf(req.originalUrl);
    if (tenant !== undefined && !isPossibleTenant(tenant)) {
      sendProblem(res, problem('notFound', 'No such tenant.'));
      return;
    }
    const mark = req.url.indexOf('?');
    const declared = names.get(contextOf(req).operation?.operationId ?? '');
    if (mark !== -1 && declared) {
      const query = req.url.slice(mark + 1);
      const bound = query
        .split('&')
        .map((pair) => {
          const equals = pair.indexOf('=');
          const raw = equals === -1 ? pair : pair.slice(0, equals);
          const name = declared.get(safeDecode(raw).toLowerCase());
          return name === undefined ? pair : encodeURIComponent(name) + (equals === -1 ? '' : pair.slice(equals));
        })
        .join('&');
      if (bound !== query) req.url = `${req.url.slice(0, mark)}?${bound}`;
    }
    next();
  };
}

/** Tenant ids hold no `/`, no control character, are not `.` or `..`, and stay within 1000 characters. */
function isPossibleTenant(tenant: string): boolean {
  // eslint-disable-next-line no-control-regex
  return tenant.length <= 1000 && tenant !== '.' && tenant !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(tenant);
}

/** The decoded `{tenant}` of `/v1/tenants/{tenant}/…`, or undefined when it is not there or not decodable. */
function tenantOf(url: string): string | undefined {
  const match = /^\/v1\/tenants\/([^/?]*)/i.exec(url);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** operationId -> (lower-case query name -> the name as declared). */
function queryNamesByOperation(spec: OpenApiDocument): Map<string, Map<string, string>> {
  const shared = ((spec.components as { parameters?: Record<string, Parameter> } | undefined)?.parameters ?? {});
  const resolve = (p: Parameter): Parameter => (p.$ref ? (shared[p.$ref.split('/').pop()!] ?? p) : p);
  const result = new Map<string, Map<string, string>>();
  for (const item of Object.values(spec.paths)) {
    const common = (item.parameters as Parameter[] | undefined) ?? [];
    for (const operation of Object.values(item)) {
      if (typeof operation !== 'object' || operation === null || !('operationId' in operation)) continue;
      const parameters = [...common, ...((operation.parameters as Parameter[] | undefined) ?? [])].map(resolve);
      const query = new Map(parameters.filter((p) => p.in === 'query' && p.name).map((p) => [p.name!.toLowerCase(), p.name!]));
      if (query.size > 0) result.set(operation.operationId as string, query);
    }
  }
  return result;
}
