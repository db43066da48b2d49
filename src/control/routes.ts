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
import { StateError, type Store } from '../store/store.js';
import type { StoreData } from '../store/types.js';
import { addConsentRoutes } from './consent-routes.js';
import { addInspectorRoutes } from './inspector.js';
import type { ControlState } from './control.js';
import type { FaultRuleInput, StubInput } from './faults.js';
import type { LatencySettings } from './latency.js';
import { verifyRequests } from './verify.js';
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

  // Rule rules-checked-alike: rules, verifications and latency are checked by the code `addFault`, `addStub`,
  // `verify` and `setLatency` run in-process, before the contract's validator, so both ways refuse the same
  // input with the same problem.
  router.post('/faults', (req, res) => {
    res.status(201).json(control.faults.add(req.body as FaultRuleInput));
  });

  router.post('/stubs', (req, res) => {
    res.status(201).json(control.faults.addStub(req.body as StubInput));
  });

  router.post('/verify', (req, res) => {
    const { matched, requests } = verifyRequests(req.body, (filter) => control.listRequests(filter), control.journal);
    res.json({ matched, items: requests });
  });

  router.put('/latency', (req, res) => {
    res.json(control.latency.set(req.body as LatencySettings));
  });

  router.use(validateAgainst('control', deps.validateResponses));

  router.get('/health', (_req, res) => {
    const health = store.health();
    res.json({
      status: health.status,
      store: health,
      operations: deps.operationCount,
      validation: deps.validation,
      journal: { size: control.journal.size, capacity: control.journal.capacity },
      faults: control.faults.list('fault').length,
      stubs: control.faults.list('stub').length,
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
    // Imports are checked like requests: the body limits above, every record, and ids never handed out twice.
    await importState(store, req.body, (sequence) => services.generator.uuid(sequence));
    res.status(204).end();
  });

  router.put('/baseline', (req, res) => {
    setBaseline(control, req.body);
    res.status(204).end();
  });

  router.delete('/baseline', (_req, res) => {
    control.setBaseline(undefined);
    res.status(204).end();
  });

  router.get('/latency', (_req, res) => {
    res.json(control.latency.get());
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
    const items = control.listRequests(filter);
    const limit = q.limit === undefined ? items.length : Number(q.limit);
    res.json({ items: items.slice(0, limit), totalCount: items.length, capacity: control.journal.capacity, dropped: control.journal.dropped });
  });

  router.delete('/requests', (_req, res) => {
    control.journal.clear();
    res.status(204).end();
  });

  for (const [kind, noun] of [['fault', 'fault rule'], ['stub', 'stub']] as const) {
    router.get(`/${kind}s`, (_req, res) => {
      res.json({ items: control.faults.list(kind) });
    });

    router.delete(`/${kind}s`, (_req, res) => {
      control.faults.clear({ kind });
      res.status(204).end();
    });

    router.delete(`/${kind}s/:id`, (req, res) => {
      if (!control.faults.remove(String(req.params.id), kind)) throw problem('notFound', `No ${noun} '${req.params.id}'.`);
      res.status(204).end();
    });
  }

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

/** Replaces the store with a snapshot, or throws the `unprocessable` problem `PUT /__mock/state` answers. */
export async function importState(store: Store, snapshot: unknown, idOf: (sequence: number) => string): Promise<void> {
  try {
    await store.replaceAll(snapshot, { idOf });
  } catch (error) {
    if (error instanceof StateError) throw problem('unprocessable', `The snapshot is not a valid state: ${error.message}.`);
    throw error;
  }
}

/** Makes a snapshot the baseline, or throws the `unprocessable` problem `PUT /__mock/baseline` answers. */
export function setBaseline(control: ControlState, snapshot: unknown): void {
  try {
    control.setBaseline(snapshot as StoreData);
  } catch (error) {
    if (error instanceof StateError) throw problem('unprocessable', `The snapshot is not a valid baseline: ${error.message}.`);
    throw error;
  }
}

function query(req: Request): Query {
  return req.query as Query;
}
