import { createHash } from 'node:crypto';
import type { ErrorRequestHandler, Response } from 'express';
import { StoreWriteError } from '../store/store.js';
import { findContext } from '../control/request-log.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, problem, type FieldErrors } from './problems.js';
import { routeProblem } from './routes.js';

export type Logger = { error: (message: string) => void };

type ValidatorError = {
  status: number;
  message: string;
  errors?: { path?: string; message?: string }[];
  headers?: Record<string, string>;
};

type BodyParserError = { type: string; status?: number; message: string };

/** Sends a problem; `instance` is the request path, `traceId` the ASP.NET extension (rule problem-trace-id). */
export function sendProblem(res: Response, error: ProblemError): void {
  const instance = res.req.originalUrl.split('?')[0]!;
  const text = JSON.stringify({ ...error.body, instance, traceId: nextTraceId(res, instance) });
  const context = findContext(res.req);
  if (context) context.responseBody = text;
  res.status(error.status).set(error.headers).type(PROBLEM_CONTENT_TYPE).send(text);
}

/**
 * A W3C trace id (`00-<32 hex>-<16 hex>-00`) as ASP.NET Core puts in its ProblemDetails. Made from a count
 * of the app's problems and the request, not from randomness: the same requests give the same bytes.
 */
function nextTraceId(res: Response, instance: string): string {
  const locals = res.app.locals as { problemCount?: number };
  locals.problemCount = (locals.problemCount ?? 0) + 1;
  const digest = createHash('sha256').update(`${locals.problemCount} ${res.req.method} ${instance}`).digest('hex');
  return `00-${digest.slice(0, 32)}-${digest.slice(32, 48)}-00`;
}

/**
 * The one place errors become responses: our own problems, body-parser failures and
 * express-openapi-validator errors all leave as `application/problem+json`. Unknown errors are a 500
 * whose detail says nothing of the internals; the stack goes to the logger, never to the client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, toProblem(error, logger, { method: req.method, path: req.originalUrl.split('?')[0]! }));
  };
}

export function toProblem(error: unknown, logger: Logger, request: { method: string; path: string }): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof StoreWriteError) return fromStoreWrite(error);
  if (isBodyParserError(error)) return fromBodyParser(error);
  if (isValidatorError(error)) return fromValidator(error, logger, request);
  logger.error(`unhandled error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return problem('internal', 'The mock failed to handle the request.');
}

/** store-write-failure: a change the store could not make durable was undone; the client may retry. */
function fromStoreWrite(error: StoreWriteError): ProblemError {
  const detail = `Nothing was changed: ${error.message}. Retry once the store's disk can be written again.`;
  return problem(error.kind === 'full' ? 'storageFull' : 'storageUnavailable', detail, { headers: { 'Retry-After': '1' } });
}

function fromBodyParser(error: BodyParserError): ProblemError {
  switch (error.type) {
    case 'entity.parse.failed':
      return problem('malformedJson', `The request body could not be parsed as JSON: ${error.message}`);
    case 'entity.too.large':
      return problem('payloadTooLarge', 'The request body is larger than the mock accepts.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem('unsupportedMediaType', error.message);
    default:
      return problem('validation', `The request body could not be read: ${error.message}`);
  }
}

function fromValidator(error: ValidatorError, logger: Logger, { method, path }: { method: string; path: string }): ProblemError {
  switch (error.status) {
    case 400:
      return problem('validation', 'See errors for the fields that failed validation.', {
        errors: fieldErrors(error.errors ?? []),
      });
    case 404:
      return routeProblem({ kind: 'none' }, method, path);
    case 405:
      return routeProblem({ kind: 'wrong-method', allow: (error.headers?.Allow ?? error.headers?.allow ?? '').split(/,\s*/).filter(Boolean) }, method, path);
    case 413:
      return problem('payloadTooLarge', error.message);
    case 415:
      return problem(
        'unsupportedMediaType',
        error.message.endsWith('undefined')
          ? 'The request has no Content-Type; send the body as application/json.'
          : `${error.message}; send application/json.`,
      );
    default:
      // Response validation failures land here: a bug in the mock, loud in tests.
      logger.error(`validator error ${error.status}: ${error.message} ${JSON.stringify(error.errors ?? [])}`);
      return problem('internal', `The mock produced an invalid response: ${error.message}`);
  }
}

/** `/body/channels/0/address` -> `channels[0].address`; `/params/config` -> `config`. */
export function fieldPath(pointer: string): string {
  const [, , ...rest] = pointer.split('/');
  if (rest.length === 0) return pointer.split('/')[1] || 'body';
  return rest
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function fieldErrors(errors: { path?: string; message?: string }[]): FieldErrors {
  // No prototype: a client-chosen key such as `__proto__` stays a plain field name.
  const result: FieldErrors = Object.create(null) as FieldErrors;
  for (const { path = '/body', message = 'is invalid' } of errors) {
    const key = fieldPath(path);
    (result[key] ??= []).push(message);
  }
  return result;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string'
    && 'expose' in error;
}

function isValidatorError(error: unknown): error is ValidatorError {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}
