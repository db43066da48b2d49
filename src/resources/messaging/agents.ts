import type { ServiceDeps } from '../../deps.js';
import { findLiveAgent } from '../agents/service.js';
import { configUsage } from '../agents/slots.js';

/**
 * Whether the tenant has the agent, as `GET /agents/{agent}` finds it: a fixture agent, or one the tenant
 * created, and not deleted. Every agent lookup of messaging goes through here.
 */
export function agentExists(deps: ServiceDeps, tenant: string, agentId: string): boolean {
  return findLiveAgent(deps, tenant, agentId) !== undefined;
}

/**
 * Rule inbound-agent-resolution: the agents a message to a config goes to when the webhook URL names none:
 * every agent bound to a participant that has a channel on the config, in binding order, then every agent
 * whose integration slots use the config (its usage).
 */
export function agentsReachableThrough(deps: ServiceDeps, tenant: string, configId: string): string[] {
  const agents = new Set<string>();
  for (const participant of deps.store.listParticipants(tenant)) {
    if (!participant.channels.some((c) => c.integrationConfigId === configId)) continue;
    for (const binding of deps.store.listBindings(tenant, { participantId: participant.id })) {
      if (agentExists(deps, tenant, binding.agentId)) agents.add(binding.agentId);
    }
  }
  for (const use of configUsage(deps, tenant, configId)) if (agentExists(deps, tenant, use.agentId)) agents.add(use.agentId);
  return [...agents];
}
