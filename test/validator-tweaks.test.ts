import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { precompileRouteLookup } from '../src/http/validator-tweaks.js';
import { loadSpec } from '../src/spec.js';

const validatorRequire = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));

type Middleware = (req: object, res: object, next: (error?: unknown) => void) => void;
type Factory = (context: unknown, responseApiDoc: unknown) => Middleware;

/** The validator's own spec loading, as `OpenApiValidator.middleware` does it. */
async function validatorContext(): Promise<{ context: unknown; apiDoc: unknown }> {
  const { OpenApiSpecLoader } = validatorRequire('./framework/openapi.spec.loader.js');
  const { OpenApiContext } = validatorRequire('./framework/openapi.context.js');
  const spec = await new OpenApiSpecLoader({ apiDoc: structuredClone(loadSpec()), validateApiSpec: false, $refParser: { mode: 'bundle' } }).load();
  return { context: new OpenApiContext(spec, undefined, false, false), apiDoc: spec.apiDoc };
}

/** Runs one metadata middleware on a bare request and says what it did. */
function outcome(middleware: Middleware, method: string, url: string) {
  const path = url.split('?')[0]!;
  const req: Record<string, unknown> = {
    method,
    url,
    originalUrl: url,
    path,
    baseUrl: '',
    app: { enabled: () => false },
  };
  let nextWith: unknown = 'not called';
  try {
    middleware(req, {}, (error?: unknown) => (nextWith = error));
  } catch (error) {
    const e = error as { constructor: { name: string }; status?: number; message: string; headers?: unknown };
    return { threw: { type: e.constructor.name, status: e.status, message: e.message, headers: e.headers } };
  }
  const openapi = req.openapi as { schema?: { operationId?: string }; _responseSchema?: unknown } | undefined;
  return {
    nextWith,
    openapi: openapi && { ...openapi, schema: openapi.schema?.operationId, _responseSchema: openapi._responseSchema !== undefined },
    params: req.params,
  };
}

const TEMPLATE_VALUES = ['acme', 'a%20b', '%E4%B8%AD', '%E0%A4%A', 'x.y'];
const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];

/** Every spec path with several parameter values, plus paths the spec does not have. */
function requestPaths(): string[] {
  const paths = Object.keys(loadSpec().paths).flatMap((template) =>
    TEMPLATE_VALUES.map((value) => template.replace(/\{[^}]+\}/g, value)),
  );
  return [...paths, ...paths.map((p) => `${p}/`), '/v1', '/v1/', '/v1/nope', '/v1/tenants/acme', '/V1/tenants/acme/integrations', '/other', '/v1/tenants/acme/integrations?x=1'];
}

describe('precompileRouteLookup', () => {
  it('answers every request exactly as the validator it replaces', async () => {
    precompileRouteLookup();
    const module = validatorRequire('./middlewares/openapi.metadata.js') as { applyOpenApiMetadata: Factory; original?: Factory };
    expect(module.original).toBeTypeOf('function');
    const { context, apiDoc } = await validatorContext();
    const paths = requestPaths();
    let matched = 0;
    for (const responseApiDoc of [undefined, apiDoc]) {
      const original = module.original!(context, responseApiDoc);
      const precompiled = module.applyOpenApiMetadata(context, responseApiDoc);
      for (const path of paths) {
        for (const method of METHODS) {
          const expected = outcome(original, method, path);
          expect(outcome(precompiled, method, path), `${method} ${path}`).toEqual(expected);
          if ('openapi' in expected && expected.openapi) matched += 1;
        }
      }
    }
    // The comparison covered found operations, wrong methods, malformed encodings and unknown paths.
    expect(matched).toBeGreaterThan(100);
    const kinds = new Set(paths.flatMap((p) => METHODS.map((m) => JSON.stringify(Object.keys(outcome(module.original!(context, undefined), m, p))))));
    expect(kinds.size).toBeGreaterThanOrEqual(2);
  });

  it('is applied once, however many apps are built', () => {
    precompileRouteLookup();
    const module = validatorRequire('./middlewares/openapi.metadata.js') as { applyOpenApiMetadata: Factory; original?: Factory };
    const replaced = module.applyOpenApiMetadata;
    precompileRouteLookup();
    expect(module.applyOpenApiMetadata).toBe(replaced);
    expect(module.original).not.toBe(replaced);
  });
});
