import { findAgent } from '../../catalog/catalog.js';
import type { ServiceDeps } from '../../deps.js';

/**
 * Whether the tenant has the agent, as `GET /agents/{agent}` finds it. Every agent lookup of messaging goes
 * through here, so one change rewires them all when agents get their own store.
 */
export function agentExists(deps: ServiceDeps, _tenant: string, agentId: string): boolean {
  return findAgent(deps.catalog, agentId) !== undefined;
}

/**
 * Rule inbound-agent-resolution: the agents a message to a config goes to when the webhook URL names none:
 * every agent bound to a participant that has a channel on the config, in binding order. (Where agents can
 * reference configs, their usage belongs here too.)
 */
export function agentsReachableThrough(deps: ServiceDeps, tenant: string, configId: string): string[] {
  const agents = new Set<string>();
  for (const participant of deps.store.listParticipants(tenant)) {
    if (!participant.channels.some((c) => c.integrationConfigId === configId)) continue;
    for (const binding of deps.store.listBindings(tenant, { participantId: participant.id })) {
      if (agentExists(deps, tenant, binding.agentId)) agents.add(binding.agentId);
    }
  }
  return [...agents];
}
