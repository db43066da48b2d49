import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Catalog } from './catalog/types.js';
import { ControlState } from './control/control.js';
import { injectFaults } from './control/faults.js';
import { recordRequests, rememberSentBody } from './control/journal.js';
import { controlRouter, type ValidationMode } from './control/routes.js';
import { systemClock, type Clock, type Generator } from './generate/generator.js';
import { requireBearer, type Caller } from './http/auth.js';
import { bindLikeAspNet } from './http/binding.js';
import { limitBodyDepth } from './http/depth.js';
import { ANY_ORIGIN, allowCors } from './http/cors.js';
import { errorHandler, fieldPath, sendProblem, type Logger } from './http/errors.js';
import type { Call, Handlers, Reply } from './http/handler.js';
import { pipeline, under } from './http/pipeline.js';
import { problem } from './http/problems.js';
import { leanQuerylessValidation, precompileRouteLookup, skipUnusedSpecValidator } from './http/validator-tweaks.js';
import { RouteTable } from './http/routes.js';
import { secretNamesOf } from './resources/catalog/integrations.js';
import { catalogHandlers } from './resources/catalog/routes.js';
import { configHandlers } from './resources/configs/routes.js';
import { oauthHandlers } from './resources/oauth/routes.js';
import { participantHandlers } from './resources/participants/routes.js';
import { loadSpec } from './spec.js';
import type { Store } from './store/store.js';

export type AppOptions = {
  /** Validate every response against the spec; a response that breaks it becomes a 500. On in tests. */
  validateResponses: boolean;
  /** The largest request body accepted, in bytes or an expression such as `1mb`. */
  bodyLimit: string | number;
  /** Strict auth: HS256 JWTs signed with this secret only (see `requireBearer`). */
  jwtSecret: string | undefined;
  logger: Logger;
  /** `strict` rejects an invalid request with a 400; `warn` lets it through with `x-mock-violations`; `off` silently. */
  validation: ValidationMode;
  /** Origins allowed to call from a browser; `*` for any, empty for no CORS. */
  corsOrigins: string[];
};

export type AppDeps = {
  store: Store;
  catalog: Catalog;
  generator: Generator;
  clock?: Clock;
  /** The journal and fault rules; pass one to reach them from outside the app (the programmatic API). */
  control?: ControlState;
  options?: Partial<AppOptions>;
};

/** Everything a resource's handlers may use. */
export type ServiceDeps = Required<Pick<AppDeps, 'store' | 'catalog' | 'generator' | 'clock'>>;

export const DEFAULT_OPTIONS: AppOptions = {
  validateResponses: false,
  bodyLimit: '1mb',
  jwtSecret: undefined,
  logger: { error: (message) => process.stderr.write(`${message}\n`) },
  validation: 'strict',
  corsOrigins: [ANY_ORIGIN],
};

type ValidatedRequest = Request & { openapi?: { schema?: { operationId?: string }; pathParams?: Record<string, string> } };

/** Builds the mock's Express app. It never listens and holds no global state. */
export function createApp(deps: AppDeps): Express {
  const options = { ...DEFAULT_OPTIONS, ...deps.options };
  const services: ServiceDeps = { clock: systemClock, ...deps };
  const spec = loadSpec();
  const routes = new RouteTable(spec);
  const handlers: Handlers = {
    ...catalogHandlers(services),
    ...configHandlers(services),
    ...oauthHandlers(services),
    ...participantHandlers(services),
  };
  const control = deps.control ?? new ControlState();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(allowCors(options.corsOrigins));
  precompileRouteLookup();
  leanQuerylessValidation();
  skipUnusedSpecValidator();
  // The API's middlewares, in the order they run, as one Express layer (see `pipeline`); first, as most
  // requests are API calls.
  app.use(
    under(
      '/v1',
      pipeline([
        recordRequests(control.journal, secretNamesOf(services)),
        matchRoute(routes),
        requireBearer({ generator: deps.generator, clock: services.clock, jwtSecret: options.jwtSecret }),
        express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'] }),
        limitBodyDepth(),
        injectFaults(control.faults, control.responses),
        bindLikeAspNet(spec),
        OpenApiValidator.middleware({
          apiSpec: spec as never,
          validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
          validateResponses: options.validateResponses ? { removeAdditional: false } : false,
          validateSecurity: false,
          // No operation takes multipart/form-data, which is a 415 with or without the validator's uploader
          // (test/http.test.ts); the uploader cost every request a promise and loaded multer at start.
          fileUploader: false,
          validateFormats: true,
          // The spec is checked by `npm run lint:spec`; checking it on every start cost a third of a cold start.
          validateApiSpec: false,
        }),
        tolerateViolations(options.validation),
        dispatch(handlers, options.validateResponses ? sendThroughJson : sendReply),
      ]),
    ),
  );
  // For `/__mock` and the CLI's start-up banner, without a second route table.
  app.locals.operationCount = routes.operationIds().length;
  app.use(
    '/__mock',
    controlRouter({
      services,
      control,
      validation: options.validation,
      validateResponses: options.validateResponses,
      bodyLimit: options.bodyLimit,
      operationCount: app.locals.operationCount,
    }),
  );
  app.use((req, res) => sendProblem(res, problem('routeNotFound', `No operation matches ${req.method} ${req.path}.`)));
  app.use(errorHandler(options.logger));
  return app;
}

/** 404 for a path the spec does not have, 405 with `Allow` for a method it does not have there. */
function matchRoute(routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0]!;
    const match = routes.match(req.method, path);
    if (match.kind === 'none') {
      sendProblem(res, problem('routeNotFound', `No operation matches ${req.method} ${path}.`));
    } else if (match.kind === 'wrong-method') {
      sendProblem(
        res,
        problem('methodNotAllowed', `${req.method} is not allowed here; use ${match.allow.join(', ')}.`, {
          headers: { Allow: match.allow.join(', ') },
        }),
      );
    } else {
      res.locals.operationId = match.operationId;
      next();
    }
  };
}

/**
 * In `warn` and `off` mode a request that fails validation (a 400) goes on to its handler; `warn` lists
 * what was wrong in `x-mock-violations`. Both record it in the journal. `strict` passes the error on.
 */
function tolerateViolations(mode: ValidationMode): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (mode === 'strict' || !(error instanceof OpenApiValidator.error.BadRequest)) {
      next(error);
      return;
    }
    const violations = (error.errors ?? []).map((e) => `${fieldPath(e.path ?? '/body')}: ${e.message ?? 'is invalid'}`);
    res.locals.violations = violations;
    if (mode === 'warn') res.set('X-Mock-Violations', headerValue(violations.join('; ')));
    next();
  };
}

function headerValue(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 2000 ? `${ascii.slice(0, 1997)}...` : ascii;
}

/** Calls the handler of the operation the validator matched and sends its reply with `send`. */
function dispatch(handlers: Handlers, send: (res: Response, reply: Reply) => void): RequestHandler {
  return (req: ValidatedRequest, res, next) => {
    const operationId = req.openapi?.schema?.operationId;
    const handler = operationId ? handlers[operationId] : undefined;
    if (!handler) {
      next();
      return;
    }
    const reply = handler(new ApiCall(req, (res.locals.caller as Caller).user));
    // Reads answer synchronously: no promise is made for them (a rejected one reaches the error handler).
    if (reply instanceof Promise) return reply.then((value) => send(res, value));
    send(res, reply);
  };
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a reply with the bytes `res.json` would send (the same JSON, `Content-Type` and `Content-Length`),
 * straight to Node. Express's `json` and `send` on top of that look for a charset to parse, an ETag to make
 * and a freshness check to answer 304 to, none of which this API has, and set each header through `res.set`:
 * about a fifth of the CPU of a get. test/send-path.test.ts holds it to `sendThroughJson`'s answers.
 */
function sendReply(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  if (reply.body === undefined) {
    res.status(reply.status).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  rememberSentBody(res, text);
  res.writeHead(reply.status, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a reply through `res.json`, which the validator wraps to check the body when responses are validated. */
function sendThroughJson(res: Response, reply: Reply): void {
  res.status(reply.status);
  if (reply.headers) res.set(reply.headers);
  if (reply.body === undefined) res.end();
  // The validator reads a JSON `null` body as no body and rejects it; `:refreshIdentity` documents a 200
  // with null, so that one body goes out unchecked (res.send is not wrapped by the validator).
  else if (reply.body === null) res.type('application/json').send('null');
  else res.json(reply.body);
}

/** What a handler learns about its request (see `Call`). */
class ApiCall implements Call {
  readonly tenant: string;
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;

  constructor(
    private readonly req: ValidatedRequest,
    readonly user: string,
  ) {
    this.params = req.openapi?.pathParams ?? {};
    this.tenant = this.params.tenant ?? '';
    this.query = req.query as Record<string, unknown>;
    this.body = req.body;
  }

  /** Only the OAuth calls need it, and working out the protocol costs on every request. */
  get baseUrl(): string {
    return `${this.req.protocol}://${this.req.get('host') ?? 'localhost'}`;
  }
}
