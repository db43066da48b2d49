import { HTTP_METHODS, type OpenApiDocument } from '../spec.js';
import { problem, type ProblemError } from './problems.js';

/** The spec operation a request was matched to, with its path parameters decoded. */
export type Operation = { operationId: string; template: string; params: Record<string, string> };

export type RouteMatch =
  | { kind: 'found'; operation: Operation }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

type Route = { template: string; pattern: RegExp; names: string[]; operations: Map<string, string> };

/**
 * The spec's paths, matched once per request: an unknown route is a 404, a known route with the wrong
 * method a 405 with `Allow`, and anything else names its operation. Built once from the spec and shared by
 * dispatch, the request log and the fault rules. A template parameter never spans `/` or `:`, so
 * `{config}:publish` and `{config}` stay distinct routes. As OpenAPI says, concrete paths win over templated
 * ones: `/participants/consultRoster` is never `/participants/{participant}`.
 */
export class RouteTable {
  private readonly routes: Route[];

  constructor(spec: OpenApiDocument) {
    this.routes = Object.entries(spec.paths)
      .map(([template, item]) => ({
        template,
        ...templatePattern(template),
        operations: new Map(
          HTTP_METHODS.filter((m) => item[m]).map((m) => [m.toUpperCase(), item[m]!.operationId ?? `${m} ${template}`]),
        ),
      }))
      // Fewest parameters first: the first route that matches is the most concrete.
      .sort((a, b) => a.names.length - b.names.length);
  }

  match(method: string, path: string): RouteMatch {
    const wanted = method === 'HEAD' ? 'GET' : method;
    let fewest = Infinity;
    const allow = new Set<string>();
    for (const route of this.routes) {
      if (route.names.length > fewest) break;
      const found = route.pattern.exec(path);
      if (!found) continue;
      fewest = route.names.length;
      const operationId = route.operations.get(wanted);
      if (operationId) {
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => (params[name] = decode(found[i + 1]!)));
        return { kind: 'found', operation: { operationId, template: route.template, params } };
      }
      for (const known of route.operations.keys()) allow.add(known);
    }
    return allow.size === 0 ? { kind: 'none' } : { kind: 'wrong-method', allow: [...allow].sort() };
  }

  /** The path template a request goes to, whether or not it has `method`; undefined when none matches. */
  templateOf(method: string, path: string): string | undefined {
    const match = this.match(method, path);
    if (match.kind === 'found') return match.operation.template;
    if (match.kind === 'none') return undefined;
    return this.routes.find((route) => route.pattern.test(path))?.template;
  }

  /** Every operation id in the spec. */
  operationIds(): string[] {
    return this.routes.flatMap((r) => [...r.operations.values()]);
  }
}

/** The one 404 and 405 every unmatched request gets, whichever layer finds it unmatched. */
export function routeProblem(match: Exclude<RouteMatch, { kind: 'found' }>, method: string, path: string): ProblemError {
  if (match.kind === 'none') return problem('routeNotFound', `No operation matches ${method} ${path}.`);
  const allow = match.allow.join(', ');
  return problem('methodNotAllowed', `${method} is not allowed on ${path}; use ${allow}.`, { headers: { Allow: allow } });
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function templatePattern(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (!part.startsWith('{')) return escapeRegExp(part);
      names.push(part.slice(1, -1));
      return '([^/:]+)';
    })
    .join('');
  // A trailing slash is allowed.
  return { pattern: new RegExp(`^${source}/?$`), names };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
