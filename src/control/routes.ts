import express, { type Request, type Response, type Router } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { ServiceDeps } from '../app.js';
import { secretNamesOf } from '../resources/catalog/integrations.js';
import { sendProblem } from '../http/errors.js';
import { problem } from '../http/problems.js';
import { RULES } from '../rules.js';
import { mintOAuthCredentialKey, resolveOAuthGrant } from '../resources/oauth/keys.js';
import { loadControlSpec, loadSpec, specText } from '../spec.js';
import { StateError } from '../store/store.js';
import { renderConsentPage, renderOutcomePage, type ConsentMessage } from './consent.js';
import type { ControlState } from './control.js';
import type { FaultRuleInput } from './faults.js';
import { redact, type JournalFilter } from './journal.js';

/** How requests to the API are validated: rejected, let through with a header, or let through silently. */
export type ValidationMode = 'strict' | 'warn' | 'off';

export type ControlDeps = {
  services: ServiceDeps;
  control: ControlState;
  validation: ValidationMode;
  validateResponses: boolean;
  bodyLimit: string | number;
  operationCount: number;
};

type Query = Record<string, string | undefined>;

/**
 * The `/__mock` control plane: health, reset, state, journal, faults, the OAuth consent page and the
 * contract. Described by `spec/control.yaml` and validated against it like the API. No bearer needed.
 */
export function controlRouter(deps: ControlDeps): Router {
  const { services, control } = deps;
  const { store } = services;
  const router = express.Router();
  router.use(express.json({ limit: deps.bodyLimit, type: ['application/json', 'application/*+json'] }));
  router.use(express.urlencoded({ extended: false, limit: deps.bodyLimit }));
  // Built on the first control request: most apps in a test run never get one, and building it costs.
  const validator = express.Router();
  router.use((_req, _res, next) => {
    if (validator.stack.length === 0) {
      validator.use(
        OpenApiValidator.middleware({
          apiSpec: loadControlSpec() as never,
          validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
          validateResponses: deps.validateResponses ? { removeAdditional: false } : false,
          validateSecurity: false,
          validateFormats: true,
        }),
      );
    }
    next();
  });
  router.use(validator);

  router.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      operations: deps.operationCount,
      validation: deps.validation,
      journal: { size: control.journal.size, capacity: control.journal.capacity },
      faults: control.faults.list().length,
    });
  });

  router.post('/reset', async (req, res) => {
    await control.reset(store, query(req).tenant);
    res.status(204).end();
  });

  router.get('/state', (req, res) => {
    const { tenant, includeSecrets } = query(req);
    const snapshot = tenant === undefined ? store.snapshot() : store.snapshotOf(tenant);
    // Credential values stay in the store unless the caller asks for them by name.
    res.json(includeSecrets === 'true' ? snapshot : redact(snapshot, secretNamesOf(services)));
  });

  router.put('/state', async (req, res) => {
    try {
      await store.replaceAll(req.body);
    } catch (error) {
      if (error instanceof StateError) throw problem('unprocessable', `The snapshot is not a valid state: ${error.message}.`);
      throw error;
    }
    res.status(204).end();
  });

  router.get('/requests', (req, res) => {
    const q = query(req);
    const filter: JournalFilter = {
      ...(q.method && { method: q.method }),
      ...(q.path && { path: q.path }),
      ...(q.operationId && { operationId: q.operationId }),
      ...(q.status && { status: Number(q.status) }),
      ...(q.tenant && { tenant: q.tenant }),
      ...(q.since && { since: q.since }),
    };
    const items = control.journal.list(filter);
    const limit = q.limit === undefined ? items.length : Number(q.limit);
    res.json({ items: items.slice(0, limit), totalCount: items.length, capacity: control.journal.capacity });
  });

  router.delete('/requests', (_req, res) => {
    control.journal.clear();
    res.status(204).end();
  });

  router.post('/faults', (req, res) => {
    res.status(201).json(control.faults.add(req.body as FaultRuleInput));
  });

  router.get('/faults', (_req, res) => {
    res.json({ items: control.faults.list() });
  });

  router.delete('/faults', (_req, res) => {
    control.faults.clear();
    res.status(204).end();
  });

  router.delete('/faults/:id', (req, res) => {
    if (!control.faults.remove(String(req.params.id))) throw problem('notFound', `No fault rule '${req.params.id}'.`);
    res.status(204).end();
  });

  router.post('/oauth/credential-keys', async (req, res) => {
    const record = await mintOAuthCredentialKey(services, req.body as Parameters<typeof mintOAuthCredentialKey>[1]);
    const { key, tenant, integrationId, authMethodId, scopes, createdAt } = record;
    res.status(201).json({ key, tenant, integrationId, authMethodId, scopes, createdAt });
  });

  router.get('/oauth/authorize', (req, res) => {
    const q = query(req);
    const grant = resolveOAuthGrant(services, {
      tenant: q.tenant!,
      integrationId: q.integration!,
      ...(q.method && { authMethodId: q.method }),
      scopes: (q.scopes ?? '').split(' ').filter(Boolean),
    });
    sendHtml(res, renderConsentPage({ tenant: q.tenant!, grant, config: q.config || null }));
  });

  router.post('/oauth/authorize', async (req, res) => {
    const form = req.body as Query;
    const tenant = form.tenant!;
    const scopes = (form.scopes ?? '').split(' ').filter(Boolean);
    const request = { tenant, integrationId: form.integration!, ...(form.method && { authMethodId: form.method }), scopes };
    const { integration, method } = resolveOAuthGrant(services, request);
    const who = { tenant, integrationId: integration.id, authMethodId: method.id, configId: form.config || null };
    let message: ConsentMessage;
    if (form.decision === 'approve') {
      const record = await mintOAuthCredentialKey(services, request);
      message = { type: 'fruxon-oauth', status: 'success', credentialKey: record.key, scopes: record.scopes, ...who };
    } else {
      message = { type: 'fruxon-oauth', status: 'error', error: 'access_denied', errorDescription: 'The user denied access.', ...who };
    }
    sendHtml(res, renderOutcomePage(message));
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(loadSpec());
  });

  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(specText());
  });

  router.get('/rules', (_req, res) => {
    const count = (source: string) => RULES.filter((r) => r.source === source).length;
    res.json({ items: RULES, counts: { docs: count('docs'), inferred: count('inferred'), mock: count('mock') } });
  });

  router.use((req, res) => sendProblem(res, problem('routeNotFound', `No control endpoint matches ${req.method} ${req.originalUrl.split('?')[0]}.`)));
  return router;
}

function query(req: Request): Query {
  return req.query as Query;
}

function sendHtml(res: Response, html: string): void {
  res.type('html').set('Cache-Control', 'no-store').send(html);
}
