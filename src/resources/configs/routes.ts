import type { ServiceDeps } from '../../deps.js';
import { noContent, ok, type Call, type Handlers } from '../../http/handler.js';
import type { JsonObject } from '../../store/types.js';
import { tenantIntegrationOr404 } from '../catalog/integrations.js';
import {
  configOr404,
  createConfig,
  deleteConfig,
  getPublishedRevision,
  publishConfig,
  revisionOr404,
  rollbackConfig,
  testTool,
  updateConfig,
  verifyAuth,
  type ConfigBody,
} from './service.js';
import { toConfigView, toRevisionView } from './view.js';
import { applyWebhookToProvider, generateWebhookUrl, inspectWebhook, refreshIdentity, rotateWebhookKey } from './webhooks.js';

/** Integration configs: the draft, its published revisions, and the calls that resolve them. */
export function configHandlers(deps: ServiceDeps): Handlers {
  const scopeOf = (call: Call) => ({ tenant: call.tenant, integrationId: call.params.integration!, user: call.user });
  const webhookScopeOf = (call: Call) => ({ tenant: call.tenant, integrationId: call.params.integration!, baseUrl: call.baseUrl });
  const integrationOf = (call: Call) => tenantIntegrationOr404(deps, call.tenant, call.params.integration!);

  return {
    createIntegrationConfig: async (call) => {
      const config = await createConfig(deps, scopeOf(call), call.body as ConfigBody);
      return ok(toConfigView(config, integrationOf(call)));
    },

    listIntegrationConfigs: (call) => {
      const integration = integrationOf(call);
      return ok(deps.store.listConfigs(call.tenant, integration.id).map((c) => toConfigView(c, integration)));
    },

    getIntegrationConfig: (call) => {
      const integration = integrationOf(call);
      return ok(toConfigView(configOr404(deps, call.tenant, integration.id, call.params.config!), integration));
    },

    updateIntegrationConfig: async (call) => {
      const config = await updateConfig(deps, scopeOf(call), call.params.config!, call.body as ConfigBody);
      return ok(toConfigView(config, integrationOf(call)));
    },

    deleteIntegrationConfig: async (call) => {
      await deleteConfig(deps, scopeOf(call), call.params.config!);
      return noContent();
    },

    publishIntegrationConfig: async (call) => {
      const body = (call.body ?? {}) as { note?: string | null };
      const revision = await publishConfig(deps, scopeOf(call), call.params.config!, body.note ?? null);
      return ok(toRevisionView(revision, integrationOf(call)));
    },

    rollbackIntegrationConfig: async (call) => {
      const { revisionId } = call.body as { revisionId: string };
      const revision = await rollbackConfig(deps, scopeOf(call), call.params.config!, revisionId);
      return ok(toRevisionView(revision, integrationOf(call)));
    },

    listIntegrationConfigRevisions: (call) => {
      const integration = integrationOf(call);
      const config = configOr404(deps, call.tenant, integration.id, call.params.config!);
      return ok(deps.store.listRevisions(call.tenant, config.id).map((r) => toRevisionView(r, integration)));
    },

    getIntegrationConfigRevision: (call) => {
      const integration = integrationOf(call);
      const config = configOr404(deps, call.tenant, integration.id, call.params.config!);
      return ok(toRevisionView(revisionOr404(deps, call.tenant, config.id, call.params.revision!), integration));
    },

    getPublishedIntegrationConfigRevision: (call) =>
      ok(toRevisionView(getPublishedRevision(deps, scopeOf(call), call.params.config!), integrationOf(call))),

    testIntegrationConfigTool: (call) => {
      const body = call.body as { toolId: string | null; parameters?: JsonObject | null };
      const { revision, response } = testTool(deps, scopeOf(call), call.params.config!, body.toolId, body.parameters ?? null);
      return {
        status: 200,
        body: { response },
        headers: { 'X-Mock-Revision': `${revision.id}; version=${revision.version}` },
      };
    },

    generateIntegrationConfigWebhookUrl: async (call) =>
      ok(await generateWebhookUrl(deps, webhookScopeOf(call), call.params.config!)),

    rotateIntegrationConfigWebhook: async (call) => ok(await rotateWebhookKey(deps, webhookScopeOf(call), call.params.config!)),

    applyIntegrationConfigWebhookToProvider: async (call) => {
      const body = (call.body ?? {}) as { webhookUrl?: string | null };
      return ok(await applyWebhookToProvider(deps, webhookScopeOf(call), call.params.config!, body.webhookUrl));
    },

    inspectIntegrationConfigWebhook: (call) => {
      const body = (call.body ?? {}) as { expectedWebhookUrl?: string | null };
      return ok(inspectWebhook(deps, webhookScopeOf(call), call.params.config!, body.expectedWebhookUrl));
    },

    refreshIntegrationConfigIdentity: async (call) => ok(await refreshIdentity(deps, webhookScopeOf(call), call.params.config!)),

    verifyIntegrationConfigAuth: (call) => {
      const index = call.query.authMapIndex as number | undefined;
      return ok(verifyAuth(deps, { ...scopeOf(call), baseUrl: call.baseUrl }, call.params.config!, index));
    },
  };
}
