import type { ServiceDeps } from '../../deps.js';
import { FIXTURE_EPOCH, findAgent as findFixtureAgent } from '../../catalog/catalog.js';
import type { AgentFixture } from '../../catalog/types.js';
import { DEFAULTS } from '../../config.js';
import { problem } from '../../http/problems.js';
import type { AgentOrigin, AgentRecord, AgentSlot, AgentType, BindingRecord, JsonObject, SlotKind } from '../../store/types.js';

export type AgentState = 'live' | 'pendingDelete' | 'purged';

type ExternalConfigInput = { parameters?: JsonObject | null } | null;

export type CreateAgentBody = {
  id: string;
  displayName?: string | null;
  description?: string | null;
  avatarFileId?: string | null;
  type?: AgentType;
  tags?: string[] | null;
  origin?: AgentOrigin | 'UNSPECIFIED';
  externalConfig?: ExternalConfigInput;
};

export type UpdateAgentBody = Omit<CreateAgentBody, 'id' | 'origin'>;

/** Rule agent-delete-grace-option. */
function graceOf(deps: ServiceDeps): number {
  return deps.agentDeleteGraceMs ?? DEFAULTS.agentDeleteGrace;
}

/** Rule agent-delete-grace-option: the purge is lazy; a deleted agent is purged once the grace has passed on the clock. */
export function stateOf(deps: ServiceDeps, agent: AgentRecord): AgentState {
  if (agent.deletedAt === null) return 'live';
  return deps.clock() - agent.deletedAt >= graceOf(deps) ? 'purged' : 'pendingDelete';
}

/**
 * Rule agents-tenant-records: the tenant's own record of the agent, else the fixture agent every tenant
 * starts with; in whatever state (a purged one included). Undefined when the tenant never had the id.
 */
function agentOf(deps: ServiceDeps, tenant: string, agentId: string): AgentRecord | undefined {
  const own = deps.store.findAgent(tenant, agentId);
  if (own) return own;
  const fixture = findFixtureAgent(deps.catalog, agentId);
  return fixture && fixtureRecord(fixture, tenant);
}

/** A live agent of the tenant (not deleted), or undefined: what participants, slots and the graph may reference. */
export function findLiveAgent(deps: ServiceDeps, tenant: string, agentId: string): AgentRecord | undefined {
  const agent = agentOf(deps, tenant, agentId);
  return agent && agent.deletedAt === null ? agent : undefined;
}

/** Rule agent-get-hides-deleted: unknown, pending deletion and purged agents are all 404. */
export function liveAgentOr404(deps: ServiceDeps, tenant: string, agentId: string): AgentRecord {
  const agent = findLiveAgent(deps, tenant, agentId);
  if (!agent) throw problem('notFound', `Agent '${agentId}' was not found.`);
  return agent;
}

/**
 * Rule agent-list-includes-pending-delete: the fixture agents in fixture order (the tenant's copy where it
 * has one), then the tenant's own in creation order; agents pending deletion are listed, purged ones are not.
 */
export function listAgents(deps: ServiceDeps, tenant: string): AgentRecord[] {
  const own = deps.store.listAgents(tenant);
  const byId = new Map(own.map((a) => [a.agentId, a]));
  const fixtures = deps.catalog.agents.map((f) => byId.get(f.id) ?? fixtureRecord(f, tenant));
  const created = own.filter((a) => !findFixtureAgent(deps.catalog, a.agentId));
  return [...fixtures, ...created].filter((a) => stateOf(deps, a) !== 'purged');
}

/** Rule deleted-agent-references-hidden: only the bindings whose agent is live. */
export function visibleBindings(deps: ServiceDeps, tenant: string, bindings: readonly BindingRecord[]): BindingRecord[] {
  return bindings.filter((b) => findLiveAgent(deps, tenant, b.agentId) !== undefined);
}

/** Rules agent-create-201, agent-type-origin-values and agent-id-unique. */
export async function createAgent(deps: ServiceDeps, tenant: string, body: CreateAgentBody): Promise<AgentRecord> {
  const previous = agentOf(deps, tenant, body.id);
  if (previous && stateOf(deps, previous) !== 'purged') {
    const pending = previous.deletedAt !== null ? ' (it is pending deletion: :cancelDelete restores it)' : '';
    throw problem('validation', `The tenant already has an agent '${body.id}'${pending}.`, {
      errors: { id: ['an agent with this id already exists'] },
    });
  }
  return deps.store.mutate(() => {
    const now = deps.clock();
    // A purged agent's id is free again: what was wired to the old agent does not carry over.
    if (previous) deps.store.deleteAgentReferences(tenant, body.id);
    const agent: AgentRecord = {
      id: `${tenant}/${body.id}`,
      tenant,
      agentId: body.id,
      displayName: body.displayName ?? null,
      description: body.description ?? null,
      avatarFileId: body.avatarFileId ?? null,
      tags: [...(body.tags ?? [])],
      type: body.type ?? 'UNSPECIFIED',
      origin: !body.origin || body.origin === 'UNSPECIFIED' ? 'NATIVE' : body.origin,
      externalConfig: externalConfigOf(body.externalConfig),
      // An empty draft and nothing deployed: not executable yet.
      enabled: false,
      currentRevision: 0,
      slots: [],
      integrationSlots: [],
      deletedAt: null,
      createdAt: now,
      modifiedAt: now,
    };
    deps.store.putAgent(agent);
    return agent;
  });
}

/** Rule agent-update-patches-metadata: null or absent keeps a field; `type: UNSPECIFIED` keeps the type. */
export async function updateAgent(deps: ServiceDeps, tenant: string, agentId: string, body: UpdateAgentBody): Promise<AgentRecord> {
  const current = liveAgentOr404(deps, tenant, agentId);
  return deps.store.mutate(() => {
    const next: AgentRecord = {
      ...current,
      displayName: body.displayName ?? current.displayName,
      description: body.description ?? current.description,
      avatarFileId: body.avatarFileId ?? current.avatarFileId,
      tags: body.tags ? [...body.tags] : current.tags,
      type: body.type && body.type !== 'UNSPECIFIED' ? body.type : current.type,
      externalConfig: body.externalConfig ? externalConfigOf(body.externalConfig) : current.externalConfig,
      modifiedAt: deps.clock(),
    };
    deps.store.putAgent(next);
    return next;
  });
}

/** Rule agent-soft-delete: hidden at once, restorable during the grace; a second DELETE is a 404. */
export async function deleteAgent(deps: ServiceDeps, tenant: string, agentId: string): Promise<void> {
  const current = liveAgentOr404(deps, tenant, agentId);
  await deps.store.mutate(() => deps.store.putAgent({ ...current, deletedAt: deps.clock() }));
}

/** Rule agent-cancel-delete: 400 for a live agent, 404 for one purged or never there. */
export async function cancelAgentDelete(deps: ServiceDeps, tenant: string, agentId: string): Promise<void> {
  const current = agentOf(deps, tenant, agentId);
  if (!current || stateOf(deps, current) === 'purged') throw problem('notFound', `Agent '${agentId}' was not found (or its deletion grace period has passed).`);
  if (current.deletedAt === null) throw problem('agentNotPendingDelete', `Agent '${agentId}' is not pending deletion.`);
  await deps.store.mutate(() => deps.store.putAgent({ ...current, deletedAt: null }));
}

/**
 * Rules agent-activate, agent-activate-needs-deployed-revision, agent-toggle-hides-deleted and
 * agent-toggle-modified-at. A "deployed revision" is currentRevision above 0: a created agent has none until a
 * definition (the control plane's stand-in for a deploy) raises it; every fixture agent has one.
 */
export async function activateAgent(deps: ServiceDeps, tenant: string, agentId: string): Promise<AgentRecord> {
  const current = liveAgentOr404(deps, tenant, agentId);
  if (current.enabled) return current;
  if (current.currentRevision <= 0) {
    throw problem('agentNotDeployed', `Agent '${agentId}' has no deployed revision: deploy one before activating it.`);
  }
  return setEnabled(deps, current, true);
}

/** Rules agent-deactivate, agent-toggle-hides-deleted and agent-toggle-modified-at: no revision is needed. */
export async function deactivateAgent(deps: ServiceDeps, tenant: string, agentId: string): Promise<AgentRecord> {
  const current = liveAgentOr404(deps, tenant, agentId);
  return current.enabled ? setEnabled(deps, current, false) : current;
}

/** Stores the tenant's copy with the flag flipped (a fixture agent gets its copy here, as on PUT). */
function setEnabled(deps: ServiceDeps, current: AgentRecord, enabled: boolean): Promise<AgentRecord> {
  return deps.store.mutate(() => {
    const next: AgentRecord = { ...current, enabled, modifiedAt: deps.clock() };
    deps.store.putAgent(next);
    return next;
  });
}

function externalConfigOf(input: ExternalConfigInput | undefined): AgentRecord['externalConfig'] {
  return input ? { parameters: input.parameters ?? null } : null;
}

/** A fixture agent as the tenant's record it becomes on the first write. */
function fixtureRecord(fixture: AgentFixture, tenant: string): AgentRecord {
  return {
    id: `${tenant}/${fixture.id}`,
    tenant,
    agentId: fixture.id,
    displayName: fixture.displayName ?? null,
    description: fixture.description ?? null,
    avatarFileId: fixture.avatarFileId ?? null,
    tags: [...(fixture.tags ?? [])],
    type: fixture.type as AgentType,
    origin: (fixture.origin ?? 'NATIVE') as AgentOrigin,
    externalConfig: null,
    enabled: fixture.enabled,
    currentRevision: fixture.currentRevision,
    slots: (fixture.slots ?? []).map(
      (s): AgentSlot => ({ name: s.name, displayName: s.displayName ?? null, requiredKind: (s.requiredKind ?? 'ANY') as SlotKind }),
    ),
    integrationSlots: [],
    deletedAt: null,
    createdAt: fixture.createdAt ?? FIXTURE_EPOCH,
    modifiedAt: fixture.modifiedAt ?? FIXTURE_EPOCH,
  };
}
