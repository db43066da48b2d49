import type { ServiceDeps } from '../../deps.js';
import { problem, type FieldErrors } from '../../http/problems.js';
import type { BindingRecord, MaxUrgency, ParticipantRecord } from '../../store/types.js';
import { findLiveAgent, liveAgentOr404 } from '../agents/service.js';
import { newBinding, participantOr404 } from './service.js';

export type RosterBody = {
  roles?: string[] | null;
  consultAllowed?: boolean | null;
  maxUrgency?: MaxUrgency | 'UNSPECIFIED';
  defaultForRoles?: string[] | null;
};

/** Rule binding-idempotent: an existing binding comes back unchanged; 404 for an unknown participant or agent. */
export async function bindAgent(
  deps: ServiceDeps,
  tenant: string,
  participantId: string,
  agentId: string,
): Promise<{ binding: BindingRecord; participant: ParticipantRecord }> {
  const participant = participantOr404(deps, tenant, participantId);
  liveAgentOr404(deps, tenant, agentId);
  const existing = deps.store.findBinding(tenant, participant.id, agentId);
  if (existing) return { binding: existing, participant };
  const binding = await deps.store.mutate(() => {
    const created = newBinding(deps, participant, agentId, deps.clock());
    deps.store.putBinding(created);
    return created;
  });
  return { binding, participant };
}

/** Rule binding-idempotent: 204 whether or not the binding existed; 404 only for an unknown participant. */
export async function unbindAgent(deps: ServiceDeps, tenant: string, participantId: string, agentId: string): Promise<void> {
  const participant = participantOr404(deps, tenant, participantId);
  const binding = deps.store.findBinding(tenant, participant.id, agentId);
  if (binding) await deps.store.mutate(() => deps.store.deleteBinding(binding.id));
}

/** Rule roster-defaults-subset: null keeps, lists replace, and the result must keep defaultForRoles within roles. */
export async function updateRoster(
  deps: ServiceDeps,
  tenant: string,
  participantId: string,
  agentId: string,
  body: RosterBody,
): Promise<{ binding: BindingRecord; participant: ParticipantRecord }> {
  const participant = participantOr404(deps, tenant, participantId);
  const bound = deps.store.findBinding(tenant, participant.id, agentId);
  // Rule deleted-agent-references-hidden.
  const current = bound && findLiveAgent(deps, tenant, agentId) ? bound : undefined;
  if (!current) {
    throw problem('notFound', `Participant '${participant.id}' is not bound to agent '${agentId}'; bind it first.`);
  }
  const roles = body.roles ?? current.roles;
  const defaultForRoles = body.defaultForRoles ?? current.defaultForRoles;
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  defaultForRoles.forEach((role, index) => {
    if (!roles.includes(role)) errors[`defaultForRoles[${index}]`] = [`'${role}' is not one of roles`];
  });
  if (Object.keys(errors).length > 0) {
    const missing = defaultForRoles.filter((r) => !roles.includes(r)).map((r) => `'${r}'`).join(', ');
    throw problem('validation', `defaultForRoles must be a subset of roles [${roles.join(', ')}]; not in roles: ${missing}.`, {
      errors,
    });
  }
  const binding = await deps.store.mutate(() => {
    const next: BindingRecord = {
      ...current,
      roles: [...roles],
      defaultForRoles: [...defaultForRoles],
      consultAllowed: body.consultAllowed ?? current.consultAllowed,
      maxUrgency: body.maxUrgency && body.maxUrgency !== 'UNSPECIFIED' ? body.maxUrgency : current.maxUrgency,
      modifiedAt: deps.clock(),
    };
    deps.store.putBinding(next);
    return next;
  });
  return { binding, participant };
}

/** Rule consult-roster-by-agent: every participant bound to the agent, in binding order. */
export function rosterOf(deps: ServiceDeps, tenant: string, agentId: string) {
  liveAgentOr404(deps, tenant, agentId);
  return deps.store.listBindings(tenant, { agentId }).map((binding) => ({
    binding,
    participant: deps.store.findParticipant(tenant, binding.participantId)!,
  }));
}
