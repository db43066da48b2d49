import type { ServiceDeps } from '../../deps.js';
import type { AgentRecord, JsonObject, ParticipantRecord } from '../../store/types.js';
import { findLiveAgent, listAgents, liveAgentOr404, visibleBindings } from './service.js';

type GraphNode = {
  id: string;
  kind: 'AGENT' | 'PARTICIPANT' | 'SLOT';
  label: string;
  agentId: string | null;
  participantId: string | null;
  triggerId: null;
  slotName: string | null;
  avatarFileId: string | null;
  metadata: JsonObject;
};

type GraphEdge = {
  id: string;
  kind: 'CAN_MESSAGE' | 'HAS_SLOT' | 'FILLS_SLOT';
  sourceNodeId: string;
  targetNodeId: string;
  agentId: string;
  participantId: string | null;
  triggerId: null;
  slotName: string | null;
  bindingId: string | null;
  metadata: JsonObject;
};

export type NetworkGraph = { nodes: GraphNode[]; edges: GraphEdge[]; truncated: boolean };

const agentNode = (agentId: string) => `agent:${agentId}`;
const participantNode = (id: string) => `participant:${id}`;
const slotNode = (agentId: string, name: string) => `slot:${agentId}:${name}`;

/**
 * Rules network-graph-scoped and network-graph-kinds: live agents, their declared slots and the
 * participants bound to them or filling their slots, as nodes; participant bindings (CAN_MESSAGE), slot
 * declarations (HAS_SLOT) and slot bindings (FILLS_SLOT) as edges. The tenant-wide graph also shows
 * participants nothing is wired to. Deleted agents and what points at them are left out (rule
 * deleted-agent-references-hidden); orphaned slot bindings are too, as their slot is not declared.
 */
export function networkGraph(deps: ServiceDeps, tenant: string, agentId?: string): NetworkGraph {
  const agents = agentId === undefined ? listAgents(deps, tenant).filter((a) => a.deletedAt === null) : [liveAgentOr404(deps, tenant, agentId)];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const participants = new Map<string, ParticipantRecord>();
  const reach = (participantId: string) => {
    const participant = deps.store.findParticipant(tenant, participantId);
    if (participant) participants.set(participant.id, participant);
    return participant;
  };
  if (agentId === undefined) for (const p of deps.store.listParticipants(tenant)) participants.set(p.id, p);

  for (const agent of agents) {
    nodes.push(toAgentNode(agent));
    for (const binding of visibleBindings(deps, tenant, deps.store.listBindings(tenant, { agentId: agent.agentId }))) {
      if (!reach(binding.participantId)) continue;
      edges.push(toEdge({
        agentId: agent.agentId,
        id: `binding:${binding.id}`,
        kind: 'CAN_MESSAGE',
        sourceNodeId: agentNode(agent.agentId),
        targetNodeId: participantNode(binding.participantId),
        participantId: binding.participantId,
        bindingId: binding.id,
      }));
    }
    const slotBindings = deps.store.listSlotBindings(tenant, { agentId: agent.agentId });
    for (const slot of agent.slots) {
      nodes.push({
        id: slotNode(agent.agentId, slot.name),
        kind: 'SLOT',
        label: slot.displayName ?? slot.name,
        agentId: agent.agentId,
        participantId: null,
        triggerId: null,
        slotName: slot.name,
        avatarFileId: null,
        metadata: { requiredKind: slot.requiredKind },
      });
      edges.push(toEdge({
        agentId: agent.agentId,
        id: `has-slot:${agent.agentId}:${slot.name}`,
        kind: 'HAS_SLOT',
        sourceNodeId: agentNode(agent.agentId),
        targetNodeId: slotNode(agent.agentId, slot.name),
        slotName: slot.name,
      }));
      const binding = slotBindings.find((b) => b.slotName === slot.name);
      if (!binding || !reach(binding.participantId)) continue;
      edges.push(toEdge({
        agentId: agent.agentId,
        id: `slot-binding:${binding.id}`,
        kind: 'FILLS_SLOT',
        sourceNodeId: participantNode(binding.participantId),
        targetNodeId: slotNode(agent.agentId, slot.name),
        participantId: binding.participantId,
        slotName: slot.name,
        bindingId: binding.id,
      }));
    }
  }
  for (const participant of participants.values()) nodes.push(toParticipantNode(deps, participant));
  return { nodes, edges, truncated: false };
}

function toAgentNode(agent: AgentRecord): GraphNode {
  return {
    id: agentNode(agent.agentId),
    kind: 'AGENT',
    label: agent.displayName ?? agent.agentId,
    agentId: agent.agentId,
    participantId: null,
    triggerId: null,
    slotName: null,
    avatarFileId: agent.avatarFileId,
    metadata: { enabled: agent.enabled, type: agent.type },
  };
}

function toParticipantNode(deps: ServiceDeps, participant: ParticipantRecord): GraphNode {
  const backing = participant.relatedAgentId === null ? undefined : findLiveAgent(deps, participant.tenant, participant.relatedAgentId);
  return {
    id: participantNode(participant.id),
    kind: 'PARTICIPANT',
    label: participant.displayName,
    agentId: participant.kind === 'AI_AGENT' ? (backing?.agentId ?? null) : null,
    participantId: participant.id,
    triggerId: null,
    slotName: null,
    avatarFileId: participant.avatarFileId ?? (participant.kind === 'AI_AGENT' ? (backing?.avatarFileId ?? null) : null),
    metadata: { kind: participant.kind, disabled: participant.disabledAt !== null },
  };
}

/** An edge with its members in the documented order; what `fields` leaves out is null. */
function toEdge(fields: Pick<GraphEdge, 'id' | 'kind' | 'sourceNodeId' | 'targetNodeId' | 'agentId'> & Partial<GraphEdge>): GraphEdge {
  return {
    id: fields.id,
    kind: fields.kind,
    sourceNodeId: fields.sourceNodeId,
    targetNodeId: fields.targetNodeId,
    agentId: fields.agentId,
    participantId: fields.participantId ?? null,
    triggerId: null,
    slotName: fields.slotName ?? null,
    bindingId: fields.bindingId ?? null,
    metadata: {},
  };
}
