import type { ServiceDeps } from '../../deps.js';
import { noContent, ok, type Handlers } from '../../http/handler.js';
import { consumeCredentialKey } from '../configs/service.js';
import { consentUrl, resolveOAuthGrant } from './keys.js';

type AuthorizeBody = { integrationAuthMetadataId: string; scopes?: string[] | null };
type ConsumeBody = { credentialKey: string; integrationConfigId: string };

/** Application-level OAuth: start a grant, and bind the key it yields to a config. */
export function oauthHandlers(deps: ServiceDeps): Handlers {
  return {
    authorizeIntegration: (call) => {
      const body = call.body as AuthorizeBody;
      const { integration, method, scopes } = resolveOAuthGrant(deps, {
        tenant: call.tenant,
        integrationId: call.params.integration!,
        authMethodId: body.integrationAuthMetadataId,
        scopes: body.scopes ?? undefined,
      });
      return ok({
        authorizationUrl: consentUrl(call.baseUrl, { tenant: call.tenant, integration: integration.id, method: method.id, scopes }),
      });
    },

    consumeOAuthCredentials: async (call) => {
      const body = call.body as ConsumeBody;
      // The docs list no 404 here: an unknown integration means no such config, a 400.
      const scope = { tenant: call.tenant, integrationId: call.params.integration! };
      await consumeCredentialKey(deps, scope, body.integrationConfigId, body.credentialKey);
      return noContent();
    },
  };
}
