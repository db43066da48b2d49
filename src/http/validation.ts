import express, { type RequestHandler, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { findContext } from '../control/request-log.js';
import { loadControlSpec, loadSpec, type OpenApiDocument } from '../spec.js';
import { RouteTable } from './routes.js';

export type Contract = 'api' | 'control';

/**
 * express-openapi-validator for one of the mock's two contracts, one validator per path of the spec, built on
 * the first request to that path and then shared by every app of the process with the same
 * `validateResponses`. The validator finds a request's route by compiling every path of the document it was
 * given into a regular expression, on every request: over the whole spec that was half of what a request
 * allocated (docs/request-path.md), so each validator is given a document with the one path the route table
 * already matched, and the rest of the spec (components, servers) as it is. What is built depends only on the
 * contract, which never changes, and the validator keeps no per-app state. A request no path matches goes to
 * a validator of the whole contract, which answers it as before.
 */
export function validateAgainst(contract: Contract, validateResponses: boolean): RequestHandler {
  return (req, res, next) => {
    const template = findContext(req)?.operation?.template ?? routesOf(contract).templateOf(req.method, req.originalUrl.split('?')[0]!);
    const key = `${contract}:${validateResponses}:${template ?? '*'}`;
    let validator = validators.get(key);
    if (!validator) validators.set(key, (validator = buildValidator(contract, validateResponses, template)));
    validator(req, res, next);
  };
}

const validators = new Map<string, Router>();
const routeTables = new Map<Contract, RouteTable>();

function routesOf(contract: Contract): RouteTable {
  let routes = routeTables.get(contract);
  if (!routes) routeTables.set(contract, (routes = new RouteTable(specOf(contract))));
  return routes;
}

function specOf(contract: Contract): OpenApiDocument {
  return contract === 'api' ? loadSpec() : loadControlSpec();
}

/** The contract with only the path `template` (all of it when undefined). */
function documentFor(contract: Contract, template: string | undefined): OpenApiDocument {
  const spec = specOf(contract);
  return template === undefined ? spec : { ...spec, paths: { [template]: spec.paths[template]! } };
}

function buildValidator(contract: Contract, validateResponses: boolean, template: string | undefined): Router {
  const router = express.Router();
  router.use(
    OpenApiValidator.middleware({
      apiSpec: documentFor(contract, template) as never,
      // Rule unknown-query-ignored: ASP.NET model binding ignores query names no parameter binds. The control
      // plane is the mock's own, and tells a test author about a misspelt filter.
      validateRequests: { allowUnknownQueryParameters: contract === 'api', allErrors: true },
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
