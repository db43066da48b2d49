import { HTTP_METHODS, type OpenApiDocument } from '../spec.js';

export type RouteMatch =
  | { kind: 'found'; template: string; operationId: string }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

type Route = { template: string; pattern: RegExp; parameterCount: number; operations: Map<string, string> };

/**
 * Matches request paths against the spec's path templates before anything else runs, so an unknown
 * route is a 404 and a known route with the wrong method is a 405 with `Allow`. A template parameter
 * never spans `/` or `:`, so `{config}:publish` and `{config}` stay distinct routes. As OpenAPI says,
 * concrete paths win over templated ones: `/participants/consultRoster` is never `/participants/{participant}`.
 */
export class RouteTable {
  private readonly routes: Route[];
  /** Routes by how many `/` their template has: a parameter never spans one, so only these can match. */
  private readonly bySlashes = new Map<number, Route[]>();

  constructor(spec: OpenApiDocument) {
    this.routes = Object.entries(spec.paths).map(([template, item]) => ({
      template,
      pattern: templatePattern(template),
      parameterCount: template.split('{').length - 1,
      operations: new Map(
        HTTP_METHODS.filter((m) => item[m]).map((m) => [m.toUpperCase(), item[m]!.operationId ?? `${m} ${template}`]),
      ),
    }));
    for (const route of this.routes) {
      const slashes = slashCount(route.template);
      this.bySlashes.set(slashes, [...(this.bySlashes.get(slashes) ?? []), route]);
    }
  }

  match(method: string, path: string): RouteMatch {
    // A trailing slash is allowed, so a path ending in one may match a template with one slash fewer.
    const slashes = slashCount(path);
    const candidates = path.endsWith('/') ? [...(this.bySlashes.get(slashes) ?? []), ...(this.bySlashes.get(slashes - 1) ?? [])] : (this.bySlashes.get(slashes) ?? []);
    const matching = candidates.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return { kind: 'none' };
    const fewest = Math.min(...matching.map((r) => r.parameterCount));
    const best = matching.filter((r) => r.parameterCount === fewest);
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const route of best) {
      const operationId = route.operations.get(wanted);
      if (operationId) return { kind: 'found', template: route.template, operationId };
    }
    const allow = new Set(best.flatMap((r) => [...r.operations.keys()]));
    return { kind: 'wrong-method', allow: [...allow].sort() };
  }

  /** Every operation id in the spec. */
  operationIds(): string[] {
    return this.routes.flatMap((r) => [...r.operations.values()]);
  }
}

export function slashCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf('/'); i !== -1; i = text.indexOf('/', i + 1)) count += 1;
  return count;
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/:]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}/?$`);
}
