import type { ServiceDeps } from '../../deps.js';
import { FIXTURE_EPOCH, agentOr404, integrationOr404 } from '../../catalog/catalog.js';
import type { AgentFixture, IntegrationFixture, ParameterFixture } from '../../catalog/types.js';
import { nameUuid } from '../../generate/generator.js';
import { ok, type Handlers } from '../../http/handler.js';
import { paginate } from '../../http/paging.js';

/** The read-only catalog: integrations, their tools, and agents, the same in every tenant. */
export function catalogHandlers({ catalog }: ServiceDeps): Handlers {
  return {
    listIntegrations: ({ query }) => {
      const search = typeof query.search === 'string' ? query.search.toLowerCase() : '';
      const types = asList(query.types);
      const tags = asList(query.tags);
      const matching = catalog.integrations.filter(
        (i) =>
          (!search || [i.id, i.displayName, i.description].some((s) => s.toLowerCase().includes(search))) &&
          (types.length === 0 || types.includes(i.type)) &&
          (tags.length === 0 || i.tags.some((t) => tags.includes(t))),
      );
      return ok(paginate(matching.map(toIntegrationView), query));
    },

    getIntegration: ({ params }) => ok(toIntegrationView(integrationOr404(catalog, params.integration!))),

    listIntegrationTools: ({ params, query }) => {
      const integration = integrationOr404(catalog, params.integration!);
      const tools = integration.tools.map((t) => ({
        id: t.id,
        integrationId: integration.id,
        displayName: t.displayName,
        description: t.description,
        actionType: t.actionType,
      }));
      return ok(paginate(tools, query));
    },

    getAgent: ({ tenant, params }) => {
      return ok(toAgentView(agentOr404(catalog, params.agent!), tenant));
    },
  };
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function toParameterView(p: ParameterFixture, index: number) {
  return {
    name: p.name,
    index,
    type: p.type,
    displayName: p.displayName,
    description: p.description,
    required: p.required,
    secret: p.secret,
    ...(p.defaultValue === undefined ? {} : { defaultValue: p.defaultValue }),
  };
}

export function toIntegrationView(i: IntegrationFixture) {
  return {
    id: i.id,
    displayName: i.displayName,
    description: i.description,
    type: i.type,
    configMetadata: {
      parametersMetadata: i.parameters.map(toParameterView),
      authMetadata: i.authMethods.map((m) => ({
        id: m.id,
        displayName: m.displayName,
        description: m.description,
        type: m.type,
        configTestSupported: m.configTestSupported,
        supportedLevels: m.supportedLevels,
        availableScopes: m.availableScopes,
        parametersMetadata: m.parameters.map(toParameterView),
      })),
    },
    tags: i.tags,
    isInternal: false,
    toolCount: i.tools.length,
    createdAt: i.createdAt ?? FIXTURE_EPOCH,
    modifiedAt: i.modifiedAt ?? FIXTURE_EPOCH,
  };
}

export function toAgentView(a: AgentFixture, tenant: string) {
  return {
    id: a.id,
    displayName: a.displayName,
    description: a.description,
    avatarFileId: a.avatarFileId,
    tags: a.tags,
    type: a.type,
    enabled: a.enabled,
    currentRevision: a.currentRevision,
    createdAt: a.createdAt ?? FIXTURE_EPOCH,
    modifiedAt: a.modifiedAt ?? FIXTURE_EPOCH,
    tenantId: nameUuid(tenant),
  };
}
