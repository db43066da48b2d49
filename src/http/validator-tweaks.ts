import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';
import { slashCount } from './routes.js';

// Two costs of express-openapi-validator 5.6 that buy nothing here, removed on the module instances the
// validator itself requires. Both are process-wide and idempotent, and leave alone a layout they do not
// recognise (the validator then runs as shipped). test/validator-tweaks.test.ts holds them to the original.

const validatorRequire = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));

type Compiled = { regexp: RegExp; keys: { name: string }[] };
type Compile = (path: string, options: { sensitive: boolean; strict: boolean }) => Compiled;
type Schemas = Record<string, Record<string, unknown>>;
type Context = {
  apiDoc: { paths: Schemas };
  expressRouteMap: Record<string, { basePath: string }>;
  openApiRouteMap: Record<string, Record<string, unknown>>;
  ignoreUndocumented?: boolean;
  useRequestUrl?: boolean;
  serial: number;
  routePair(route: string): { expressRoute: string; openApiRoute: string };
  shouldIgnoreRoute(path: string): boolean;
  isManagedRoute(path: string): boolean;
};
type ErrorClass = new (details: { path: string; message: string; headers?: Record<string, string> }) => Error;
type MetadataModule = {
  applyOpenApiMetadata: (context: Context, responseApiDoc: { paths: Schemas } | undefined) => RequestHandler;
  precompiled?: true;
  /** The validator's own lookup, kept so a test can hold the two to the same answers. */
  original?: MetadataModule['applyOpenApiMetadata'];
};

/** One spec route as the validator matches it, compiled once. */
type CompiledRoute = { expressRoute: string; openApiRoute: string; pathKey: string; regexp: RegExp; keys: string[] };

/**
 * The validator finds a request's operation (openapi.metadata.js) by walking every spec route on every
 * request, compiling each path with path-to-regexp and looking up its schemas: about a tenth of the CPU of
 * a GET. This is the same lookup, with the same result, order and errors, over routes compiled once.
 */
export function precompileRouteLookup(): void {
  let module: MetadataModule;
  let types: Record<'BadRequest' | 'MethodNotAllowed' | 'NotFound', ErrorClass>;
  let httpMethods: Set<string>;
  let compile: Compile;
  try {
    module = validatorRequire('./middlewares/openapi.metadata.js') as MetadataModule;
    types = validatorRequire('./framework/types.js') as typeof types;
    httpMethods = (validatorRequire('./middlewares/parsers/schema.preprocessor.js') as { httpMethods: Set<string> }).httpMethods;
    compile = (validatorRequire('path-to-regexp') as { pathToRegexp: Compile }).pathToRegexp;
  } catch {
    return;
  }
  if (module.precompiled || typeof module.applyOpenApiMetadata !== 'function' || !(httpMethods instanceof Set)) return;
  const { BadRequest, MethodNotAllowed, NotFound } = types;
  module.original = module.applyOpenApiMetadata;
  module.applyOpenApiMetadata = (context, responseApiDoc) => {
    const compiled = new Map<string, RouteList>();
    const routesFor = (sensitive: boolean, strict: boolean): RouteList => {
      const key = `${sensitive}:${strict}`;
      let routes = compiled.get(key);
      if (!routes) {
        routes = new RouteList(
          Object.entries(context.expressRouteMap).map(([expressRoute, methods]) => {
            const { openApiRoute } = context.routePair(expressRoute);
            const { regexp, keys } = compile(expressRoute, { sensitive, strict });
            return { expressRoute, openApiRoute, pathKey: openApiRoute.substring(methods.basePath.length), regexp, keys: keys.map((k) => k.name) };
          }),
        );
        compiled.set(key, routes);
      }
      return routes;
    };

    return (req, _res, next) => {
      const path = req.path.startsWith(req.baseUrl) ? req.path : `${req.baseUrl}/${req.path}`;
      if (context.shouldIgnoreRoute(path)) return next();
      const url = (context.useRequestUrl ? req.url : req.originalUrl).split('?')[0]!;
      const method = req.method.toLowerCase();
      const routes = routesFor(req.app.enabled('case sensitive routing'), req.app.enabled('strict routing')).candidates(url);
      for (const route of routes) {
        const match = route.regexp.exec(url);
        if (!match) continue;
        // Parameters are decoded first: a malformed one is a 400 even where the method is wrong.
        const pathParams: Record<string, string> = {};
        try {
          route.keys.forEach((name, i) => (pathParams[name] = decodeURIComponent(match[i + 1]!)));
        } catch {
          throw new BadRequest({ path: req.path, message: "malformed uri'" });
        }
        const schema = context.apiDoc.paths[route.pathKey]![method];
        if (!schema) {
          if (context.ignoreUndocumented) return next();
          const allow = Object.keys(context.openApiRouteMap[route.openApiRoute]!).filter((m) => httpMethods.has(m.toLowerCase()));
          throw new MethodNotAllowed({ path: req.path, message: `${req.method} method not allowed`, headers: { Allow: allow.join(', ') } });
        }
        const openapi: Record<string, unknown> = {
          expressRoute: route.expressRoute,
          openApiRoute: route.openApiRoute,
          pathParams,
          schema,
          serial: context.serial,
        };
        if (responseApiDoc) openapi._responseSchema = responseApiDoc.paths[route.pathKey]![method];
        Object.assign(req, { openapi, params: pathParams });
        return next();
      }
      if (context.isManagedRoute(path) && !context.ignoreUndocumented) throw new NotFound({ path: req.path, message: 'not found' });
      next();
    };
  };
  module.precompiled = true;
}

/**
 * The compiled routes in the validator's order, with the few a URL can match picked by its number of `/`.
 * A route's parameters never span a `/` (`[^/]+`), so a URL matches only routes with as many `/` as it has,
 * or one fewer when it ends in the trailing `/` a route may take. The order among those is kept, so the
 * first match is the one the full walk finds. Routes with a wildcard, which can span `/`, turn this off.
 */
class RouteList {
  private readonly exact = new Map<number, CompiledRoute[]>();
  private readonly trailing = new Map<number, CompiledRoute[]>();
  private readonly bucketed: boolean;

  constructor(private readonly all: CompiledRoute[]) {
    this.bucketed = all.every((route) => !/[*(]/.test(route.expressRoute));
    const slashes = all.map((route) => slashCount(route.expressRoute));
    for (const count of new Set(slashes)) {
      this.exact.set(count, all.filter((_, i) => slashes[i] === count));
      this.trailing.set(count + 1, all.filter((_, i) => slashes[i] === count || slashes[i] === count + 1));
    }
  }

  candidates(url: string): CompiledRoute[] {
    if (!this.bucketed) return this.all;
    const count = slashCount(url);
    return (url.endsWith('/') ? (this.trailing.get(count) ?? this.exact.get(count)) : this.exact.get(count)) ?? [];
  }
}

type SchemaValidatorModule = { OpenAPISchemaValidator: new (options: { validateApiSpec: boolean }) => unknown; stubbed?: true };

/**
 * With `validateApiSpec: false` the validator still compiles the whole OpenAPI 3.1 meta-schema with ajv at
 * start and never uses it: a third of a cold start. The spec is linted in CI (`npm run lint:spec`) instead.
 */
export function skipUnusedSpecValidator(): void {
  let module: SchemaValidatorModule;
  try {
    module = validatorRequire('./framework/openapi.schema.validator.js') as SchemaValidatorModule;
  } catch {
    return;
  }
  if (module.stubbed || typeof module.OpenAPISchemaValidator !== 'function') return;
  const Original = module.OpenAPISchemaValidator;
  module.OpenAPISchemaValidator = function OpenAPISchemaValidator(options: { validateApiSpec: boolean }) {
    if (options.validateApiSpec) return new Original(options);
    return { validate: () => ({ errors: [] }) };
  } as unknown as SchemaValidatorModule['OpenAPISchemaValidator'];
  module.stubbed = true;
}

type Ajv = { getSchema(key: string): AjvValidate | undefined; errorsText(errors: unknown[], options: { dataVar: string }): string };
type AjvValidate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
type Middleware = (req: ValidatedRequest, res: unknown, next: (error?: unknown) => void) => void;
type Parameter = { in: string; name: string; style?: string; explode?: boolean; content?: unknown; schema?: unknown; $ref?: string };
type Operation = { parameters?: Parameter[]; requestBody?: unknown };
type ValidatedRequest = Parameters<RequestHandler>[0] & {
  openapi?: { expressRoute: string; pathParams: Record<string, string>; schema: Operation };
  cookies?: Record<string, unknown>;
  signedCookies?: Record<string, unknown>;
};
type RequestValidator = { apiDoc: object; ajv: Ajv; ajvBody: Ajv; middlewareCache: Record<string, Middleware> };
type RequestValidatorModule = {
  RequestValidator: { prototype: RequestValidator & { validate: Middleware & { original?: Middleware }; lean?: true } };
};
type ContentTypeClass = { fromString(header: string | undefined): { mediaType: string | null; normalize(): string | undefined } };
/** The two compiled checks of one operation, as the validator made them, or `null` where the lean path does not apply. */
type Lane = { general: AjvValidate; body: AjvValidate } | null;

/** Array styles the validator knows a delimiter for (`ARRAY_DELIMITER` in req.parameter.mutator.js). */
const DELIMITED_STYLES = new Set(['simple', 'form', 'spaceDelimited', 'pipeDelimited']);

/**
 * For a request with no query string to an operation with no request body, most of what the validator's
 * request middleware does per request finds nothing to do: it parses the URL for a query that is not
 * there, walks every parameter to reshape query values that are absent, checks for unknown query names
 * in an empty query, and parses the `Content-Type` header again. About a sixth of the CPU of a GET.
 *
 * This runs the rest, in the same order: the path parameters put on `req.params`, `req.query` made
 * writable as the validator leaves it, the same two ajv validators the validator compiled for the
 * operation (found by its own cache key), and on failure the same `BadRequest` built the same way.
 * Anything else (a query string, a body schema, header or cookie parameters, parameter shapes the
 * mutator reshapes even without a query, a multipart content type, the first request of a kind, which
 * builds the validators) goes through the validator as shipped.
 */
export function leanQuerylessValidation(): void {
  let module: RequestValidatorModule;
  let ContentType: ContentTypeClass;
  let util: { augmentAjvErrors(errors: unknown[]): unknown[]; ajvErrorsToValidatorError(status: number, errors: unknown[]): { errors: unknown } };
  let parameters: { dereferenceParameter(apiDoc: object, parameter: Parameter): Parameter; normalizeParameter(ajv: Ajv, parameter: Parameter): { schema: { type?: unknown } } };
  let BadRequest: ErrorClass;
  try {
    module = validatorRequire('./middlewares/openapi.request.validator.js') as RequestValidatorModule;
    util = validatorRequire('./middlewares/util.js') as typeof util & { ContentType: ContentTypeClass };
    ContentType = (util as unknown as { ContentType: ContentTypeClass }).ContentType;
    parameters = validatorRequire('./middlewares/parsers/util.js') as typeof parameters;
    BadRequest = (validatorRequire('./framework/types.js') as { BadRequest: ErrorClass }).BadRequest;
  } catch {
    return;
  }
  const prototype = module.RequestValidator?.prototype;
  if (!prototype || prototype.lean || typeof prototype.validate !== 'function' || typeof ContentType?.fromString !== 'function') return;
  if (typeof util.augmentAjvErrors !== 'function' || typeof parameters.normalizeParameter !== 'function') return;
  const original = prototype.validate;

  /** The validator's cache-key part and multipart flag for each `Content-Type` header seen (few distinct ones). */
  const contentTypes = new Map<string | undefined, { key: string; multipart: boolean }>();
  const contentTypeOf = (header: string | undefined) => {
    let found = contentTypes.get(header);
    if (!found) {
      const parsed = ContentType.fromString(header);
      found = { key: parsed.normalize() ?? 'not_provided', multipart: parsed.mediaType === 'multipart/form-data' };
      if (contentTypes.size >= 256) contentTypes.clear();
      contentTypes.set(header, found);
    }
    return found;
  };

  const lanes = new WeakMap<RequestValidator, Map<string, Lane>>();
  const laneFor = (validator: RequestValidator, key: string, operation: Operation, expressRoute: string): Lane => {
    if (operation.requestBody != null || expressRoute.endsWith('*')) return null;
    for (const raw of operation.parameters ?? []) {
      const parameter = parameters.dereferenceParameter(validator.apiDoc, raw);
      if (!parameter || parameter.content !== undefined) return null;
      const { type } = parameters.normalizeParameter(validator.ajv, parameter).schema ?? {};
      const { style, explode } = parameter;
      if (parameter.in === 'path') {
        // The mutator splits or wraps these from req.params whether or not there is a query string.
        if (type === 'array' || (style === 'form' && explode)) return null;
      } else if (parameter.in === 'query') {
        // These read the URL or throw on their declaration even when the query is empty.
        if (style === 'deepObject' || (type === 'array' && !explode && !DELIMITED_STYLES.has(style ?? ''))) return null;
      } else {
        return null;
      }
    }
    const general = validator.ajv.getSchema(key);
    const body = validator.ajvBody.getSchema(key);
    return general && body ? { general, body } : null;
  };

  prototype.validate = function validate(this: RequestValidator, req, res, next) {
    const openapi = req.openapi;
    if (!openapi || req.originalUrl.includes('?')) return original.call(this, req, res, next);
    const contentType = contentTypeOf(req.headers['content-type']);
    const key = `${req.method}-${openapi.expressRoute}-${contentType.key}`;
    if (contentType.multipart || !this.middlewareCache[key]) return original.call(this, req, res, next);
    let byKey = lanes.get(this);
    if (!byKey) lanes.set(this, (byKey = new Map()));
    let lane = byKey.get(key);
    if (lane === undefined) byKey.set(key, (lane = laneFor(this, key, openapi.schema, openapi.expressRoute)));
    if (!lane) return original.call(this, req, res, next);

    if (Object.keys(openapi.pathParams).length > 0) req.params = openapi.pathParams ?? req.params;
    const queryDescriptor = Object.getOwnPropertyDescriptor(req, 'query');
    Object.defineProperty(req, 'query', { writable: true, value: req.query });
    if (queryDescriptor) Object.defineProperty(req, 'query', queryDescriptor);
    const data = {
      query: req.query ?? {},
      headers: req.headers,
      params: req.params,
      cookies: req.cookies ? { ...req.cookies, ...req.signedCookies } : undefined,
      body: req.body as unknown,
    };
    const valid = lane.general(data);
    const validBody = lane.body(data);
    if (valid && validBody) return next();
    const errors = util.augmentAjvErrors([...(lane.general.errors ?? []), ...(lane.body.errors ?? [])]);
    const error = new BadRequest({ path: req.path, message: this.ajv.errorsText(errors, { dataVar: 'request' }) });
    (error as Error & { errors?: unknown }).errors = util.ajvErrorsToValidatorError(400, errors).errors;
    throw error;
  } as Middleware;
  prototype.validate.original = original;
  prototype.lean = true;
}
