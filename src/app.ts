import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Catalog } from './catalog/types.js';
import { DEFAULTS } from './config.js';
import { ControlState } from './control/control.js';
import { injectFaults } from './control/faults.js';
import { guardControlPlane } from './control/access.js';
import { rootLinks } from './control/inspector.js';
import { contextOf, logRequests, type RequestContext } from './control/request-log.js';
import { controlRouter, type ValidationMode } from './control/routes.js';
import type { ServiceDeps } from './deps.js';
import { systemClock, type Clock, type Generator } from './generate/generator.js';
import { requireBearer } from './http/auth.js';
import { bindLikeAspNet } from './http/binding.js';
import { ANY_ORIGIN, allowCors } from './http/cors.js';
import { printRequests } from './http/console-log.js';
import { limitBodyDepth } from './http/depth.js';
import { baseUrlOf, checkHost } from './http/host-check.js';
import { errorHandler, fieldPath, sendProblem, type Logger } from './http/errors.js';
import type { Call, Handlers } from './http/handler.js';
import { routeProblem, type RouteTable } from './http/routes.js';
import { MAX_STRING_LENGTH, sendReply } from './http/send.js';
import { validateAgainst } from './http/validation.js';
import { readDurableState } from './http/durable-reads.js';
import { secretNamesOf } from './resources/catalog/integrations.js';
import { agentHandlers } from './resources/agents/routes.js';
import { catalogHandlers } from './resources/catalog/routes.js';
import { configHandlers } from './resources/configs/routes.js';
import { oauthHandlers } from './resources/oauth/routes.js';
import { participantHandlers } from './resources/participants/routes.js';
import { messagingHandlers } from './resources/messaging/routes.js';
import { webhookRouter } from './resources/messaging/webhook-routes.js';
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
  /** The longest JSON text a reply is built as in one string; a longer array is streamed (see `sendReply`). */
  largestReplyText: number;
  // Safe by default (docs/security.md, src/control/rules.ts).
  /** Required as `Authorization: Bearer` on `/__mock` (all but the consent page); undefined: none. */
  controlToken: string | undefined;
  /** Origins whose pages may call `/__mock`, with the token; never `*`. */
  controlCorsOrigins: string[];
  /** Host names answered besides loopback ones and the public URL's host (the listen address, `--allowed-hosts`). */
  allowedHosts: string[];
  /** The base of every URL the mock hands out, without a trailing `/`; else the host the client used. */
  publicUrl: string | undefined;
  /** Honour `X-Forwarded-Proto` / `X-Forwarded-Host`. */
  trustProxy: boolean;
  /** How long a soft-deleted agent stays restorable, in ms of the clock (`--agent-delete-grace`). */
  agentDeleteGraceMs: number;
  /** Hears one line per request outside `/__mock` (`--log`); undefined: none is made. */
  printRequest: ((line: string) => void) | undefined;
};

export type AppDeps = {
  store: Store;
  catalog: Catalog;
  generator: Generator;
  clock?: Clock;
  /** The route table, request log and fault rules; pass one to reach them from outside the app (the programmatic API). */
  control?: ControlState;
  options?: Partial<AppOptions>;
};

/** The server's defaults (`DEFAULTS` in config.ts), plus what only an app has. */
export const DEFAULT_OPTIONS: AppOptions = {
  validateResponses: DEFAULTS.validateResponses,
  bodyLimit: DEFAULTS.bodyLimit,
  jwtSecret: DEFAULTS.jwtSecret,
  logger: { error: (message) => process.stderr.write(`${message}\n`) },
  validation: DEFAULTS.validation,
  corsOrigins: DEFAULTS.corsOrigins,
  largestReplyText: MAX_STRING_LENGTH,
  controlToken: undefined,
  controlCorsOrigins: [],
  allowedHosts: [],
  publicUrl: undefined,
  trustProxy: false,
  agentDeleteGraceMs: DEFAULTS.agentDeleteGrace,
  printRequest: undefined,
};

/** Builds the mock's Express app. It never listens and holds no global state. */
export function createApp(deps: AppDeps): Express {
  const options = { ...DEFAULT_OPTIONS, ...deps.options };
  const services: ServiceDeps = { clock: systemClock, ...deps, agentDeleteGraceMs: options.agentDeleteGraceMs };
  const control = deps.control ?? new ControlState();
  const handlers: Handlers = {
    ...catalogHandlers(services),
    ...configHandlers(services),
    ...oauthHandlers(services),
    ...participantHandlers(services),
    ...messagingHandlers(services),
    ...agentHandlers(services),
  };

  const api = express.Router();
  api.use(logRequests(control.journal, secretNamesOf(services)));
  api.use(matchRoute(control.routes));
  api.use(requireBearer({ generator: deps.generator, clock: services.clock, jwtSecret: options.jwtSecret }));
  api.use(express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'] }));
  api.use(limitBodyDepth());
  api.use(injectFaults(control));
  api.use(bindLikeAspNet(loadSpec()));
  api.use(validateAgainst('api', options.validateResponses));
  api.use(tolerateViolations(options.validation));
  api.use(readDurableState(deps.store));
  api.use(dispatch(handlers, { validateResponses: options.validateResponses, largestText: options.largestReplyText }));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // For `/__mock` and the CLI's start-up banner.
  app.locals.operationCount = control.routes.operationIds().length;
  if (options.printRequest) app.use(printRequests(options.printRequest, options.corsOrigins));
  app.use(checkHost(options));
  // Inbound provider webhooks carry their key in the path, not the API's bearer token.
  app.use('/v1/webhooks', webhookRouter(services, options.bodyLimit));
  app.use('/v1', allowCors(options.corsOrigins));
  app.use('/v1', api);
  app.use('/__mock', guardControlPlane({ token: options.controlToken, corsOrigins: options.controlCorsOrigins }));
  app.use(
    '/__mock',
    controlRouter({
      services,
      control,
      validation: options.validation,
      validateResponses: options.validateResponses,
      bodyLimit: options.bodyLimit,
      operationCount: app.locals.operationCount as number,
      // consent-message-origins
      consentMessageOrigins: options.corsOrigins.length === 0 || options.corsOrigins.includes(ANY_ORIGIN) ? [ANY_ORIGIN] : options.corsOrigins,
    }),
  );
  app.get('/', rootLinks(app.locals.operationCount as number));
  app.use((req, res) => sendProblem(res, routeProblem({ kind: 'none' }, req.method, req.path)));
  app.use(errorHandler(options.logger));
  return app;
}

/** 404 for a path the spec does not have, 405 with `Allow` for a method it does not have there. */
function matchRoute(routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0]!;
    const match = routes.match(req.method, path);
    if (match.kind !== 'found') {
      sendProblem(res, routeProblem(match, req.method, path));
      return;
    }
    const context = contextOf(req);
    context.operation = match.operation;
    context.tenant = match.operation.params.tenant ?? null;
    next();
  };
}

/**
 * In `warn` and `off` mode a request that fails validation (a 400) goes on to its handler; `warn` lists
 * what was wrong in `x-mock-violations`. Both record it in the request log. `strict` passes the error on.
 */
function tolerateViolations(mode: ValidationMode): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (mode === 'strict' || !(error instanceof OpenApiValidator.error.BadRequest)) {
      next(error);
      return;
    }
    const violations = (error.errors ?? []).map((e) => `${fieldPath(e.path ?? '/body')}: ${e.message ?? 'is invalid'}`);
    contextOf(req).violations = violations;
    if (mode === 'warn') res.set('X-Mock-Violations', headerValue(violations.join('; ')));
    next();
  };
}

function headerValue(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 2000 ? `${ascii.slice(0, 1997)}...` : ascii;
}

/** Calls the handler of the operation the route table found and sends its reply. */
function dispatch(handlers: Handlers, send: { validateResponses: boolean; largestText: number }): RequestHandler {
  return async (req, res, next) => {
    const context = contextOf(req);
    const handler = handlers[context.operation!.operationId];
    if (!handler) {
      next();
      return;
    }
    const reply = await handler(new ApiCall(req, context));
    sendReply(res, context, reply, send);
  };
}

/** What a handler learns about its request (see `Call`). */
class ApiCall implements Call {
  readonly tenant: string;
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  readonly user: string;

  constructor(
    private readonly req: Request,
    context: RequestContext,
  ) {
    this.params = context.operation!.params;
    this.tenant = context.tenant ?? '';
    this.user = context.caller!.user;
    this.query = req.query as Record<string, unknown>;
    this.body = req.body;
  }

  /** Only the calls that hand out URLs need it (see `baseUrlOf`). */
  get baseUrl(): string {
    return baseUrlOf(this.req);
  }
}
