import type { ServiceDeps } from '../../deps.js';
import type { BindingRecord, ParticipantRecord } from '../../store/types.js';
import { findLiveAgent, visibleBindings } from '../agents/service.js';
import { channelActivations, computeHealth } from './reach.js';

/** A participant as the API shows it: the record plus its bindings, health, activations and avatar. */
export function toParticipantView(deps: ServiceDeps, participant: ParticipantRecord) {
  // Rule deleted-agent-references-hidden.
  const bindings = visibleBindings(deps, participant.tenant, deps.store.listBindings(participant.tenant, { participantId: participant.id }));
  return {
    id: participant.id,
    kind: participant.kind,
    displayName: participant.displayName,
    email: participant.email,
    relatedAgentId: participant.relatedAgentId,
    channels: participant.channels.map((c) => ({ ...c })),
    agentIds: bindings.map((b) => b.agentId),
    disabledAt: participant.disabledAt,
    health: computeHealth(deps, participant, bindings),
    channelActivations: channelActivations(deps, participant, bindings),
    ...avatarOf(deps, participant),
    // Set by avatar:syncFromChannel (src/resources/messaging/avatar.ts).
    avatarSourceConfigId: participant.avatarSync?.integrationConfigId ?? null,
    avatarSourceAddress: participant.avatarSync?.address ?? null,
    avatarSyncedAt: participant.avatarSync?.syncedAt ?? null,
    avatarAutoSync: null,
    createdAt: participant.createdAt,
    modifiedAt: participant.modifiedAt,
  };
}

/**
 * Rule ai-agent-avatar-fallback: an AI_AGENT without its own avatar shows its backing agent's, looked up
 * on every read so a later change of the agent's avatar shows through.
 */
function avatarOf(deps: ServiceDeps, participant: ParticipantRecord) {
  if (participant.avatarFileId !== null) {
    return { avatarFileId: participant.avatarFileId, avatarSource: participant.avatarSync ? ('CHANNEL' as const) : ('UPLOADED' as const) };
  }
  const agent =
    participant.kind === 'AI_AGENT' && participant.relatedAgentId !== null
      ? findLiveAgent(deps, participant.tenant, participant.relatedAgentId)
      : undefined;
  return agent?.avatarFileId
    ? { avatarFileId: agent.avatarFileId, avatarSource: 'AGENT' as const }
    : { avatarFileId: null, avatarSource: null };
}

export function toBindingView(deps: ServiceDeps, binding: BindingRecord, participant: ParticipantRecord) {
  return {
    id: binding.id,
    tenantId: binding.tenantId,
    createdAt: binding.createdAt,
    modifiedAt: binding.modifiedAt,
    participantId: binding.participantId,
    agentId: binding.agentId,
    channelActivations: channelActivations(deps, participant, [binding]),
  };
}

export function toRosterEntry(binding: BindingRecord, participant: ParticipantRecord) {
  return {
    participantId: participant.id,
    agentId: binding.agentId,
    displayName: participant.displayName,
    kind: participant.kind,
    roles: [...binding.roles],
    consultAllowed: binding.consultAllowed,
    maxUrgency: binding.maxUrgency,
    defaultForRoles: [...binding.defaultForRoles],
  };
}
