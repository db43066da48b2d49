import type { ServiceDeps } from '../../deps.js';
import { nameUuid } from '../../generate/generator.js';
import { problem, type FieldErrors } from '../../http/problems.js';
import { guidKey } from '../../store/store.js';
import type { AgentIntegrationSlot, AgentRecord, AgentSlot, SlotBindingRecord, SlotKind } from '../../store/types.js';
import { participantOr404 } from '../participants/service.js';
import { listAgents, liveAgentOr404 } from './service.js';

/** A slot as `GET /agents/{agent}/slots` lists it. */
export type SlotRow = {
  name: string;
  displayName: string | null;
  requiredKind: SlotKind;
  participantId: string | null;
  bound: boolean;
  orphaned: boolean;
};

/** What a test declares on an agent's current revision through the control plane; an absent list is kept. */
export type DefinitionBody = {
  slots?: { name: string; displayName?: string | null; requiredKind?: SlotKind }[];
  integrationSlots?: { id: string; integrationId: string; displayName?: string | null; tenantConfigId: string }[];
};

/** What `defineAgent` answers: what the agent's current revision now declares. */
export type AgentDefinition = Pick<AgentRecord, 'agentId' | 'currentRevision' | 'slots' | 'integrationSlots'>;

export function toDefinitionView(agent: AgentRecord): AgentDefinition {
  return { agentId: agent.agentId, currentRevision: agent.currentRevision, slots: agent.slots, integrationSlots: agent.integrationSlots };
}

/**
 * Rule agent-slots-list: the declared slots in declaration order (`bound=false` without a binding), then
 * stale bindings whose slot the current revision no longer declares, as `orphaned=true`.
 */
export function listSlots(deps: ServiceDeps, tenant: string, agentId: string): SlotRow[] {
  const agent = liveAgentOr404(deps, tenant, agentId);
  const bindings = deps.store.listSlotBindings(tenant, { agentId: agent.agentId });
  const declared = agent.slots.map((slot): SlotRow => {
    const binding = bindings.find((b) => b.slotName === slot.name);
    return { ...slot, participantId: binding?.participantId ?? null, bound: binding !== undefined, orphaned: false };
  });
  const orphans = bindings
    .filter((b) => !agent.slots.some((s) => s.name === b.slotName))
    .map((b): SlotRow => ({ name: b.slotName, displayName: null, requiredKind: 'ANY', participantId: b.participantId, bound: true, orphaned: true }));
  return [...declared, ...orphans];
}

/**
 * Rules slot-binding-kind-matches and slot-rebind-keeps-id: the slot must be declared on the current
 * revision and take the participant's kind; a slot already bound is rebound in place, keeping its id.
 */
export async function bindSlot(deps: ServiceDeps, tenant: string, agentId: string, slotName: string, participantId: string): Promise<SlotBindingRecord> {
  const agent = liveAgentOr404(deps, tenant, agentId);
  const participant = participantOr404(deps, tenant, participantId);
  const slot = agent.slots.find((s) => s.name === slotName);
  if (!slot) {
    const names = agent.slots.map((s) => `'${s.name}'`).join(', ') || 'none';
    throw problem('slotNotDeclared', `Agent '${agent.agentId}' declares no slot '${slotName}' on its current revision (it declares ${names}).`, {
      errors: { slot: [`'${slotName}' is not a declared slot`] },
    });
  }
  if (slot.requiredKind !== 'ANY' && slot.requiredKind !== participant.kind) {
    throw problem('slotKindMismatch', `Slot '${slotName}' takes a ${slot.requiredKind} participant; '${participant.id}' is ${participant.kind}.`, {
      errors: { binding: [`a ${participant.kind} participant cannot fill a ${slot.requiredKind} slot`] },
    });
  }
  const existing = deps.store.findSlotBinding(tenant, agent.agentId, slotName);
  if (existing?.participantId === participant.id) return existing;
  return deps.store.mutate(() => {
    const now = deps.clock();
    const binding: SlotBindingRecord = existing
      ? { ...existing, participantId: participant.id, modifiedAt: now }
      : {
          id: deps.generator.uuid(deps.store.nextSequence()),
          tenant,
          tenantId: nameUuid(tenant),
          agentId: agent.agentId,
          slotName,
          participantId: participant.id,
          createdAt: now,
          modifiedAt: now,
        };
    deps.store.putSlotBinding(binding);
    return binding;
  });
}

/** Rule slot-unbind-204: any slot name, declared, orphaned or unknown, answers 204; only the agent must exist. */
export async function unbindSlot(deps: ServiceDeps, tenant: string, agentId: string, slotName: string): Promise<void> {
  const agent = liveAgentOr404(deps, tenant, agentId);
  const binding = deps.store.findSlotBinding(tenant, agent.agentId, slotName);
  if (binding) await deps.store.mutate(() => deps.store.deleteSlotBinding(binding.id));
}

/**
 * Rule agent-slots-declared-by-control-plane: replaces what the agent's current revision declares, as a
 * deploy of a new revision would (`currentRevision` goes up by one). Rule integration-slots-checked: each
 * integration slot must point at a published config of the tenant on the slot's integration.
 */
export async function defineAgent(deps: ServiceDeps, tenant: string, agentId: string, body: DefinitionBody): Promise<AgentRecord> {
  const agent = liveAgentOr404(deps, tenant, agentId);
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  const slots = body.slots?.map((s): AgentSlot => ({ name: s.name, displayName: s.displayName ?? null, requiredKind: s.requiredKind ?? 'ANY' }));
  slots?.forEach((slot, index) => {
    if (slots.findIndex((s) => s.name === slot.name) !== index) errors[`slots[${index}].name`] = [`'${slot.name}' is declared twice`];
  });
  const integrationSlots = body.integrationSlots?.map(
    (s): AgentIntegrationSlot => ({ id: guidKey(s.id), integrationId: s.integrationId, displayName: s.displayName ?? null, tenantConfigId: guidKey(s.tenantConfigId) }),
  );
  integrationSlots?.forEach((slot, index) => {
    if (integrationSlots.findIndex((s) => s.id === slot.id) !== index) errors[`integrationSlots[${index}].id`] = [`'${slot.id}' is used twice`];
    const config = deps.store.findTenantConfig(tenant, slot.tenantConfigId);
    const field = `integrationSlots[${index}].tenantConfigId`;
    if (!config) errors[field] = [`'${slot.tenantConfigId}' is not an integration config of this tenant`];
    else if (config.integrationId !== slot.integrationId) errors[field] = [`the config is on '${config.integrationId}', not '${slot.integrationId}'`];
    else if (config.publishedRevisionId === null) errors[field] = ['the config has no published revision'];
  });
  const fields = Object.keys(errors);
  if (fields.length > 0) throw problem('validation', `The definition was not saved: ${fields.join(', ')}.`, { errors });
  return deps.store.mutate(() => {
    const next: AgentRecord = {
      ...agent,
      slots: slots ?? agent.slots,
      integrationSlots: integrationSlots ?? agent.integrationSlots,
      currentRevision: agent.currentRevision + 1,
      modifiedAt: deps.clock(),
    };
    deps.store.putAgent(next);
    return next;
  });
}

/**
 * Rule config-usage-lists-agents: the agents whose current revision has an integration slot pointing at the
 * config; rule usage-includes-pending-delete: agents pending deletion still count, purged ones do not.
 */
export function configUsage(deps: ServiceDeps, tenant: string, configId: string): { agentId: string; agentDisplayName: string | null; revision: number }[] {
  const id = guidKey(configId);
  return listAgents(deps, tenant)
    .filter((a) => a.integrationSlots.some((s) => s.tenantConfigId === id))
    .map((a) => ({ agentId: a.agentId, agentDisplayName: a.displayName, revision: a.currentRevision }));
}
