import { nameUuid } from '../../generate/generator.js';
import type { AgentRecord, SlotBindingRecord } from '../../store/types.js';

/** An agent as the API shows it. The mock keeps no solutions, evaluation metrics or message redaction. */
export function toAgentView(agent: AgentRecord) {
  return {
    id: agent.agentId,
    displayName: agent.displayName,
    description: agent.description,
    avatarFileId: agent.avatarFileId,
    tags: [...agent.tags],
    type: agent.type,
    enabled: agent.enabled,
    currentRevision: agent.currentRevision,
    createdAt: agent.createdAt,
    modifiedAt: agent.modifiedAt,
    tenantId: nameUuid(agent.tenant),
    solutionId: null,
    deletedAt: agent.deletedAt,
    evaluationMetrics: [],
    origin: agent.origin,
    externalConfig: agent.externalConfig && { parameters: agent.externalConfig.parameters },
    redactLlmMessages: false,
  };
}

export function toSlotBindingView(binding: SlotBindingRecord) {
  return {
    id: binding.id,
    tenantId: binding.tenantId,
    agentId: binding.agentId,
    slotName: binding.slotName,
    participantId: binding.participantId,
    createdAt: binding.createdAt,
    modifiedAt: binding.modifiedAt,
  };
}
