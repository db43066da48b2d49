import type { ServiceDeps } from '../../deps.js';
import type { IntegrationFixture } from '../../catalog/types.js';
import { noContent, ok, type Handlers } from '../../http/handler.js';
import { CATALOG_PAGING, TOOLS_PAGING, paginate } from '../../http/paging.js';
import { verifyAdHocConfig, type AdHocVerifyBody } from '../configs/service.js';
import {
  createCustomIntegration,
  deleteCustomIntegration,
  tenantIntegrationOr404,
  toIntegrationFixture,
  updateCustomIntegration,
  type IntegrationBody,
} from './integrations.js';
import { toCustomIntegrationView, toIntegrationView } from './view.js';

/** The catalog: the fixture integrations (every tenant's), each tenant's custom ones, and their tools. */
export function catalogHandlers(deps: ServiceDeps): Handlers {
  const { catalog, store } = deps;
  /** Rule custom-integration-per-tenant: the fixtures, then the tenant's own integrations in creation order. */
  const integrationsOf = (tenant: string): { fixture: IntegrationFixture; view: () => unknown }[] => [
    ...catalog.integrations.map((fixture) => ({ fixture, view: () => toIntegrationView(fixture) })),
    ...store.listCustomIntegrations(tenant).map((record) => ({
      fixture: toIntegrationFixture(record),
      view: () => toCustomIntegrationView(record),
    })),
  ];
  const viewOf = (tenant: string, id: string) => {
    const custom = store.findCustomIntegration(tenant, id);
    return custom ? toCustomIntegrationView(custom) : toIntegrationView(tenantIntegrationOr404(deps, tenant, id));
  };

  return {
    listIntegrations: ({ tenant, query }) => {
      const search = typeof query.search === 'string' ? query.search.toLowerCase() : '';
      const types = asList(query.types);
      const tags = asList(query.tags);
      const matching = integrationsOf(tenant).filter(
        ({ fixture: i }) =>
          (!search || [i.id, i.displayName, i.description].some((s) => s.toLowerCase().includes(search))) &&
          (types.length === 0 || types.includes(i.type)) &&
          (tags.length === 0 || i.tags.some((t) => tags.includes(t))),
      );
      return ok(paginate(matching.map(({ view }) => view()), query, CATALOG_PAGING));
    },

    getIntegration: ({ tenant, params }) => ok(viewOf(tenant, params.integration!)),

    listIntegrationTools: ({ tenant, params, query }) => {
      const integration = tenantIntegrationOr404(deps, tenant, params.integration!);
      const tools = integration.tools.map((t) => ({
        id: t.id,
        integrationId: integration.id,
        displayName: t.displayName,
        description: t.description,
        actionType: t.actionType,
      }));
      return ok(paginate(tools, query, TOOLS_PAGING));
    },

    createIntegration: async ({ tenant, body }) =>
      ok(toCustomIntegrationView(await createCustomIntegration(deps, tenant, body as IntegrationBody))),

    updateIntegration: async ({ tenant, params, body }) =>
      ok(toCustomIntegrationView(await updateCustomIntegration(deps, tenant, params.integration!, body as IntegrationBody))),

    deleteIntegration: async ({ tenant, params }) => {
      await deleteCustomIntegration(deps, tenant, params.integration!);
      return noContent();
    },

    verifyIntegrationConfig: (call) =>
      ok(verifyAdHocConfig(deps, { tenant: call.tenant, integrationId: call.params.integration!, baseUrl: call.baseUrl }, call.body as AdHocVerifyBody)),
  };
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
