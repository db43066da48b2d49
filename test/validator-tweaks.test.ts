import { createRequire } from 'node:module';
import express, { type ErrorRequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { leanQuerylessValidation, precompileRouteLookup } from '../src/http/validator-tweaks.js';
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
  return [...paths, ...paths.map((p) => `${p}/`), ...paths.map((p) => p.replace('/tenants/', '/tenants//')), '/v1', '/v1/', '/v1//', '/v1/nope', '/v1/tenants/acme', '/V1/tenants/acme/integrations', '/other', '/v1/tenants/acme/integrations?x=1'];
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

type Validate = ((req: unknown, res: unknown, next: unknown) => void) & { original?: Validate };
type Prototype = { validate: Validate; lean?: true };

/** An app that validates as fruxon-mock does and answers with what the validator left on the request. */
function echoApp() {
  const app = express();
  app.set('query parser', 'simple');
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));
  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(loadSpec()) as never,
      validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
      validateResponses: false,
      validateSecurity: false,
      fileUploader: false,
      validateFormats: true,
      validateApiSpec: false,
    }),
  );
  app.use((req, res) => {
    const { openapi } = req as unknown as { openapi?: { expressRoute: string; openApiRoute: string; pathParams: unknown; schema: { operationId: string } } };
    const query = Object.getOwnPropertyDescriptor(req, 'query');
    res.json({
      params: req.params,
      query: req.query,
      queryDescriptor: query && { writable: query.writable, enumerable: query.enumerable, configurable: query.configurable },
      body: req.body ?? null,
      openapi: openapi && { expressRoute: openapi.expressRoute, openApiRoute: openapi.openApiRoute, pathParams: openapi.pathParams, operationId: openapi.schema.operationId },
    });
  });
  app.use(((error: { status?: number; message: string; errors?: unknown; constructor: { name: string } }, _req, res, _next) => {
    res.status(error.status ?? 500).json({ type: error.constructor.name, message: error.message, errors: error.errors ?? null });
  }) as ErrorRequestHandler);
  return app;
}

const UUID = '0b5e5a8e-7e38-4d2b-9a0e-2d2f1e2b3c4d';
const PATH_VALUES: Record<string, string[]> = {
  tenant: ['acme', 'a'.repeat(129), 'bad%20tenant', '%E0%A4%A'],
  integration: ['slack', 'bad.id'],
  config: [UUID, 'not-a-uuid'],
  revision: [UUID, '12'],
  participant: [UUID, 'p'],
  binding: [UUID, 'b'],
  agent: ['support_bot', 'x'.repeat(200)],
};

/** Requests for every spec path with valid and invalid parameters, several content types, with and without a query. */
function corpus(): { method: string; url: string; headers: Record<string, string> }[] {
  const requests: { method: string; url: string; headers: Record<string, string> }[] = [];
  const spec = loadSpec();
  for (const [template, item] of Object.entries(spec.paths)) {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const urls = [template.replace(/\{([^}]+)\}/g, (_, name: string) => PATH_VALUES[name]![0]!)];
    for (const name of names) {
      for (const bad of PATH_VALUES[name]!.slice(1)) urls.push(template.replace(/\{([^}]+)\}/g, (_, n: string) => (n === name ? bad : PATH_VALUES[n]![0]!)));
    }
    for (const method of ['get', 'delete', 'post'].filter((m) => (item as Record<string, unknown>)[m])) {
      for (const url of urls) {
        for (const headers of [{} as Record<string, string>, { 'content-type': 'application/json' }, { 'content-type': 'text/plain; charset=UTF-8' }, { 'content-type': 'multipart/form-data; boundary=x' }]) {
          requests.push({ method: method.toUpperCase(), url, headers });
          requests.push({ method: method.toUpperCase(), url: `${url}/`, headers });
        }
        requests.push({ method: method.toUpperCase(), url: `${url}?pageSize=5`, headers: {} });
        requests.push({ method: method.toUpperCase(), url: `${url}?unknown=1`, headers: {} });
        requests.push({ method: method.toUpperCase(), url: `${url}?`, headers: {} });
      }
    }
  }
  return requests;
}

async function answers(app: express.Express, requests: ReturnType<typeof corpus>): Promise<unknown[]> {
  const out: unknown[] = [];
  // Each request twice: the first of a kind builds the validator's middleware, the second may take the lean path.
  for (const { method, url, headers } of requests) {
    for (let i = 0; i < 2; i++) {
      const res = await request(app)[method.toLowerCase() as 'get' | 'post' | 'delete'](url).set(headers);
      out.push({ request: `${method} ${url} ${JSON.stringify(headers)}`, status: res.status, body: res.body });
    }
  }
  return out;
}

describe('leanQuerylessValidation', () => {
  it('answers every request exactly as the validator it shortens, and takes its path for query-less reads', async () => {
    leanQuerylessValidation();
    const validatorModule = validatorRequire('./middlewares/openapi.request.validator.js') as { RequestValidator: { prototype: Prototype } };
    const prototype = validatorModule.RequestValidator.prototype;
    expect(prototype.lean).toBe(true);
    const lean = prototype.validate;
    const requests = corpus();
    const url = validatorRequire('url') as { parse: (text: string) => unknown };
    const parse = vi.spyOn(url, 'parse');

    prototype.validate = lean.original!;
    let expected: unknown[];
    try {
      expected = await answers(echoApp(), requests);
    } finally {
      prototype.validate = lean;
    }
    const parsedByOriginal = parse.mock.calls.length;
    parse.mockClear();
    const actual = await answers(echoApp(), requests);
    const parsedByLean = parse.mock.calls.length;
    parse.mockRestore();

    expect(actual).toEqual(expected);
    // Both answered with 2xx and with 400s, and the lean path was taken for a good share of them.
    const statuses = new Set((expected as { status: number }[]).map((e) => e.status));
    expect(statuses).toContain(200);
    expect(statuses).toContain(400);
    expect(parsedByLean).toBeLessThan(parsedByOriginal * 0.8);
    // The corpus grows with the spec's operations (every request is answered twice): not a timing test.
  }, 120_000);

  it('is applied once, however many apps are built', () => {
    leanQuerylessValidation();
    const prototype = (validatorRequire('./middlewares/openapi.request.validator.js') as { RequestValidator: { prototype: Prototype } }).RequestValidator.prototype;
    const replaced = prototype.validate;
    leanQuerylessValidation();
    expect(prototype.validate).toBe(replaced);
    expect(replaced.original).not.toBe(replaced);
  });
});
