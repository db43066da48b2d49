import { createRequire } from 'node:module';

type Compile = (path: string, options?: { sensitive?: boolean; strict?: boolean }) => unknown;
type PathToRegexpModule = { pathToRegexp: Compile; memoized?: true };

/**
 * express-openapi-validator 5.6 finds a request's operation by compiling every spec path with
 * path-to-regexp on every request (lookupRoute in openapi.metadata.js): about a tenth of the CPU of a
 * request. The compilation is a pure function of its arguments and returns a regexp without the `g` flag,
 * so results are shared. Applied once per process to the module instance the validator requires.
 */
export function memoizeValidatorRouteCompilation(): void {
  const validatorRequire = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
  const module = validatorRequire('path-to-regexp') as PathToRegexpModule;
  if (module.memoized) return;
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
