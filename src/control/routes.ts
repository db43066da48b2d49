import express, { type Request, type Router } from 'express';
import type { ServiceDeps } from '../deps.js';
import { secretNamesOf } from '../resources/catalog/integrations.js';
import { sendProblem } from '../http/errors.js';
import { problem } from '../http/problems.js';
import { routeProblem } from '../http/routes.js';
import { validateAgainst } from '../http/validation.js';
import { RULES } from '../rules.js';
import { defineAgent, toDefinitionView, type DefinitionBody } from '../resources/agents/slots.js';
import { mintOAuthCredentialKey } from '../resources/oauth/keys.js';
import { addMessagingControlRoutes } from '../resources/messaging/control-routes.js';
import { loadSpec, specText } from '../spec.js';
import { StateError } from '../store/store.js';
import { addConsentRoutes } from './consent-routes.js';
import { addInspectorRoutes } from './inspector.js';
import type { ControlState } from './control.js';
import type { FaultRuleInput } from './faults.js';
import { redactState } from './secrets.js';
import type { RequestFilter } from './request-log.js';

/** How requests to the API are validated: rejected, let through with a header, or let through silently. */
export type ValidationMode = 'strict' | 'warn' | 'off';

export type ControlDeps = {
  services: ServiceDeps;
  control: ControlState;
  validation: ValidationMode;
  validateResponses: boolean;
  bodyLimit: string | number;
  operationCount: number;
  /** The origins the consent outcome is posted to (see `addConsentRoutes`). */
  consentMessageOrigins: readonly string[];
};

type Query = Record<string, string | undefined>;

/**
 * The `/__mock` control plane: health, reset, state, journal, faults, the OAuth consent page and the
 * contract. Described by `spec/control.yaml` and validated against it like the API. Who may call it is
 * `guardControlPlane`'s to decide (src/control/access.ts), before this router runs.
 */
export function controlRouter(deps: ControlDeps): Router {
  const { services, control } = deps;
  const { store } = services;
  const router = express.Router();
  router.use(express.json({ limit: deps.bodyLimit, type: ['application/json', 'application/*+json'] }));
  router.use(express.urlencoded({ extended: false, limit: deps.bodyLimit }));
  router.use(validateAgainst('control', deps.validateResponses));

  router.get('/health', (_req, res) => {
    const health = store.health();
    res.json({
      status: health.status,
      store: health,
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

  router.get('/state', async (req, res) => {
    await store.settled();
    const { tenant, includeSecrets } = query(req);
    const snapshot = tenant === undefined ? store.snapshot() : store.snapshotOf(tenant);
    // Credential values stay in the store unless the caller asks for them by name (and may: see access.ts).
    res.json(includeSecrets === 'true' ? snapshot : redactState(snapshot, secretNamesOf(services)));
  });

  router.put('/state', async (req, res) => {
    try {
      // Imports are checked like requests: the body limits above, every record, and ids never handed out twice.
      await store.replaceAll(req.body, { idOf: (sequence) => services.generator.uuid(sequence) });
    } catch (error) {
      if (error instanceof StateError) throw problem('unprocessable', `The snapshot is not a valid state: ${error.message}.`);
      throw error;
    }
    res.status(204).end();
  });

  router.get('/requests', (req, res) => {
    const q = query(req);
    const filter: RequestFilter = {
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

  // Rule agent-slots-declared-by-control-plane.
  router.put('/tenants/:tenant/agents/:agent/definition', async (req, res) => {
    const agent = await defineAgent(services, String(req.params.tenant), String(req.params.agent), req.body as DefinitionBody);
    res.json(toDefinitionView(agent));
  });

  addConsentRoutes(router, services, deps.consentMessageOrigins);
  addInspectorRoutes(router, services);
  addMessagingControlRoutes(router, services);

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

  router.use((req, res) => sendProblem(res, routeProblem({ kind: 'none' }, req.method, req.originalUrl.split('?')[0]!)));
  return router;
}

function query(req: Request): Query {
  return req.query as Query;
}
