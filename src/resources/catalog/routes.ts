import type { ServiceDeps } from '../../deps.js';
import { FIXTURE_EPOCH, agentOr404, integrationOr404 } from '../../catalog/catalog.js';
import type { AgentFixture, IntegrationFixture, ParameterFixture } from '../../catalog/types.js';
import { nameUuid } from '../../generate/generator.js';
import { ok, type Handlers } from '../../http/handler.js';
import { CATALOG_PAGING, TOOLS_PAGING, paginate } from '../../http/paging.js';

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
      return ok(paginate(matching.map(toIntegrationView), query, CATALOG_PAGING));
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
      return ok(paginate(tools, query, TOOLS_PAGING));
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

/** Every documented ParameterMetadata field; what a fixture leaves out is null (or []), as the docs' sample shows. */
function toParameterView(p: ParameterFixture, index: number) {
  return {
    name: p.name,
    index,
    type: p.type,
    typeName: p.typeName ?? null,
    integerRange: p.integerRange ?? null,
    floatRange: p.floatRange ?? null,
    options: p.options?.map((o) => ({ value: o.value, label: o.label, description: o.description ?? null })) ?? null,
    asset: p.asset ?? null,
    displayName: p.displayName,
    description: p.description,
    required: p.required,
    secret: p.secret,
    defaultValue: p.defaultValue ?? null,
    jsonSchema: p.jsonSchema ?? null,
    uiHint: p.uiHint ?? null,
    rules: p.rules ?? [],
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
      // Rule catalog-config-metadata: every documented AuthMetadata field.
      authMetadata: i.authMethods.map((m) => ({
        id: m.id,
        displayName: m.displayName,
        description: m.description,
        type: m.type,
        sensitivity: m.sensitivity ?? 'UNSPECIFIED',
        authProviderName: m.authProviderName ?? null,
        configTestSupported: m.configTestSupported,
        supportedLevels: m.supportedLevels,
        authMap: {
          useMap: m.authMap !== undefined,
          keyTemplate: m.authMap?.keyTemplate ?? null,
          parametersMetadata: (m.authMap?.parameters ?? []).map(toParameterView),
        },
        authSettings: { parameters: m.authSettings ?? {} },
        parametersMetadata: m.parameters.map(toParameterView),
        availableScopes: m.availableScopes,
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
