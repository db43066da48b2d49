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

  constructor(spec: OpenApiDocument) {
    this.routes = Object.entries(spec.paths).map(([template, item]) => ({
      template,
      pattern: templatePattern(template),
      parameterCount: template.split('{').length - 1,
      operations: new Map(
        HTTP_METHODS.filter((m) => item[m]).map((m) => [m.toUpperCase(), item[m]!.operationId ?? `${m} ${template}`]),
      ),
    }));
  }

  match(method: string, path: string): RouteMatch {
    const matching = this.routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return { kind: 'none' };
    const fewest = Math.min(...matching.map((r) => r.parameterCount));
    const candidates = matching.filter((r) => r.parameterCount === fewest);
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const route of candidates) {
      const operationId = route.operations.get(wanted);
      if (operationId) return { kind: 'found', template: route.template, operationId };
    }
    const allow = new Set(candidates.flatMap((r) => [...r.operations.keys()]));
    return { kind: 'wrong-method', allow: [...allow].sort() };
  }

  /** Every operation id in the spec. */
  operationIds(): string[] {
    return this.routes.flatMap((r) => [...r.operations.values()]);
  }
}

function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/:]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}
