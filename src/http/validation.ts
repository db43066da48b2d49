import express, { type RequestHandler, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { loadControlSpec, loadSpec } from '../spec.js';

export type Contract = 'api' | 'control';

/**
 * express-openapi-validator for one of the mock's two contracts, built on the first request that needs it and
 * then shared by every app of the process with the same `validateResponses`. Building one compiles the OpenAPI
 * 3.1 meta-schema with ajv whatever its options, a cost every `startMock()` and test app paid before
 * (docs/request-path.md); what is built depends only on the contract, which never changes, and the validator
 * keeps no per-app state.
 */
export function validateAgainst(contract: Contract, validateResponses: boolean): RequestHandler {
  const key = `${contract}:${validateResponses}`;
  return (req, res, next) => {
    let validator = validators.get(key);
    if (!validator) validators.set(key, (validator = buildValidator(contract, validateResponses)));
    validator(req, res, next);
  };
}

const validators = new Map<string, Router>();

function buildValidator(contract: Contract, validateResponses: boolean): Router {
  const router = express.Router();
  router.use(
    OpenApiValidator.middleware({
      apiSpec: (contract === 'api' ? loadSpec() : loadControlSpec()) as never,
      // Rule unknown-query-ignored: ASP.NET model binding ignores query names no parameter binds.
      validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
      validateResponses: validateResponses ? { removeAdditional: false } : false,
      validateSecurity: false,
      // No operation takes multipart/form-data, which is a 415 with or without the validator's uploader.
      fileUploader: false,
      validateFormats: true,
      // The contracts are checked by `npm run lint:spec`.
      validateApiSpec: false,
    }),
  );
  return router;
}
