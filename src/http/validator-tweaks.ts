import { createRequire } from 'node:module';

// Two costs of express-openapi-validator 5.6 that buy nothing here, removed on the module instances the
// validator itself requires. Both are process-wide and idempotent; a layout they do not recognise is left alone.

const validatorRequire = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));

type Compile = (path: string, options?: { sensitive?: boolean; strict?: boolean }) => unknown;
type PathToRegexpModule = { pathToRegexp: Compile; memoized?: true };

/**
 * The validator finds a request's operation by compiling every spec path with path-to-regexp on every
 * request (lookupRoute in openapi.metadata.js): about a tenth of the CPU of a request. The compilation is a
 * pure function of its arguments and returns a regexp without the `g` flag, so results are shared.
 */
export function memoizeRouteCompilation(): void {
  const module = validatorRequire('path-to-regexp') as PathToRegexpModule;
  if (module.memoized || typeof module.pathToRegexp !== 'function') return;
  const compile = module.pathToRegexp;
  const compiled = new Map<string, unknown>();
  module.pathToRegexp = (path, options) => {
    const key = `${options?.sensitive ? 's' : ''}${options?.strict ? 't' : ''}:${path}`;
    let result = compiled.get(key);
    if (result === undefined) compiled.set(key, (result = compile(path, options)));
    return result;
  };
  module.memoized = true;
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
