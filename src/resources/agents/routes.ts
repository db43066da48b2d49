import type { ServiceDeps } from '../../deps.js';
import { noContent, ok, type Handlers } from '../../http/handler.js';
import { tenantIntegrationOr404 } from '../catalog/integrations.js';
import { configOr404 } from '../configs/service.js';
import { networkGraph } from './graph.js';
import {
  activateAgent,
  cancelAgentDelete,
  createAgent,
  deactivateAgent,
  deleteAgent,
  listAgents,
  liveAgentOr404,
  updateAgent,
  type CreateAgentBody,
  type UpdateAgentBody,
} from './service.js';
import { bindSlot, configUsage, listSlots, unbindSlot } from './slots.js';
import { toAgentView, toSlotBindingView } from './view.js';

/** Agents, their contact slots, the network graph, and which agents use a config. */
export function agentHandlers(deps: ServiceDeps): Handlers {
  return {
    listAgents: ({ tenant }) => ok(listAgents(deps, tenant).map(toAgentView)),

    // Rule agent-create-201.
    createAgent: async ({ tenant, body }) => ({ status: 201, body: toAgentView(await createAgent(deps, tenant, body as CreateAgentBody)) }),

    getAgent: ({ tenant, params }) => ok(toAgentView(liveAgentOr404(deps, tenant, params.agent!))),

    updateAgent: async ({ tenant, params, body }) => ok(toAgentView(await updateAgent(deps, tenant, params.agent!, body as UpdateAgentBody))),

    deleteAgent: async ({ tenant, params }) => {
      await deleteAgent(deps, tenant, params.agent!);
      return noContent();
    },

    cancelAgentDelete: async ({ tenant, params }) => {
      await cancelAgentDelete(deps, tenant, params.agent!);
      return noContent();
    },

    // Rules agent-activate and agent-deactivate: both answer the agent.
    activateAgent: async ({ tenant, params }) => ok(toAgentView(await activateAgent(deps, tenant, params.agent!))),

    deactivateAgent: async ({ tenant, params }) => ok(toAgentView(await deactivateAgent(deps, tenant, params.agent!))),

    listAgentSlots: ({ tenant, params }) => ok(listSlots(deps, tenant, params.agent!)),

    bindAgentSlot: async ({ tenant, params }) =>
      ok(toSlotBindingView(await bindSlot(deps, tenant, params.agent!, params.slot!, params.binding!))),

    unbindAgentSlot: async ({ tenant, params }) => {
      await unbindSlot(deps, tenant, params.agent!, params.slot!);
      return noContent();
    },

    getNetworkGraph: ({ tenant, query }) => ok(networkGraph(deps, tenant, typeof query.agentId === 'string' ? query.agentId : undefined)),

    getIntegrationConfigUsage: ({ tenant, params }) => {
      tenantIntegrationOr404(deps, tenant, params.integration!);
      const config = configOr404(deps, tenant, params.integration!, params.config!);
      return ok({ agents: configUsage(deps, tenant, config.id) });
    },
  };
}
