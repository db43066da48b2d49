import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';

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
    const compiled = new Map<string, CompiledRoute[]>();
    const routesFor = (sensitive: boolean, strict: boolean): CompiledRoute[] => {
      const key = `${sensitive}:${strict}`;
      let routes = compiled.get(key);
      if (!routes) {
        routes = Object.entries(context.expressRouteMap).map(([expressRoute, methods]) => {
          const { openApiRoute } = context.routePair(expressRoute);
          const { regexp, keys } = compile(expressRoute, { sensitive, strict });
          return { expressRoute, openApiRoute, pathKey: openApiRoute.substring(methods.basePath.length), regexp, keys: keys.map((k) => k.name) };
        });
        compiled.set(key, routes);
      }
      return routes;
    };

    return (req, _res, next) => {
      const path = req.path.startsWith(req.baseUrl) ? req.path : `${req.baseUrl}/${req.path}`;
      if (context.shouldIgnoreRoute(path)) return next();
      const url = (context.useRequestUrl ? req.url : req.originalUrl).split('?')[0]!;
      const method = req.method.toLowerCase();
      const routes = routesFor(req.app.enabled('case sensitive routing'), req.app.enabled('strict routing'));
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
