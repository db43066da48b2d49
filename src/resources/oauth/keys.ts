import type { ServiceDeps } from '../../app.js';
import { findAuthMethod, findIntegration } from '../../catalog/catalog.js';
import { fieldError, problem } from '../../http/problems.js';
import type { OAuthKeyRecord } from '../../store/types.js';

export type MintRequest = { tenant: string; integrationId: string; authMethodId?: string; scopes?: string[] };

/**
 * Mints the single-use key the OAuth success popup hands the frontend. The provider tokens it stands for
 * are faked and stored with it; they reach a config only when the key is consumed.
 */
export async function mintOAuthCredentialKey(deps: ServiceDeps, request: MintRequest): Promise<OAuthKeyRecord> {
  const integration = findIntegration(deps.catalog, request.integrationId);
  if (!integration) throw problem('notFound', `Integration '${request.integrationId}' was not found.`);
  const oauthMethods = integration.authMethods.filter((m) => m.type === 'OAUTH2');
  const method = request.authMethodId ? findAuthMethod(integration, request.authMethodId) : oauthMethods[0];
  if (!method || method.type !== 'OAUTH2') {
    const offered = oauthMethods.map((m) => m.id).join(', ') || 'none';
    throw problem('unknownAuthMethod', `Integration '${integration.id}' has no OAuth method '${request.authMethodId ?? ''}'; OAuth methods: ${offered}.`, {
      errors: fieldError('integrationAuthMetadataId', `must be one of: ${offered}`),
    });
  }
  const unknown = (request.scopes ?? []).filter((s) => !method.availableScopes.includes(s));
  if (unknown.length > 0) {
    throw problem('validation', `Scopes not offered by '${method.id}': ${unknown.join(', ')}.`, {
      errors: fieldError('scopes', `must be drawn from: ${method.availableScopes.join(', ')}`),
    });
  }
  const scopes = request.scopes?.length ? request.scopes : (method.defaultScopes ?? method.availableScopes);
  return deps.store.mutate(() => {
    const sequence = deps.store.nextSequence();
    const faker = deps.generator.fakerFor(sequence, 'oauth');
    const record: OAuthKeyRecord = {
      key: `ock_${faker.string.alphanumeric(40)}`,
      tenant: request.tenant,
      integrationId: integration.id,
      authMethodId: method.id,
      scopes: [...scopes],
      accessToken: `at_${faker.string.alphanumeric(48)}`,
      refreshToken: `rt_${faker.string.alphanumeric(48)}`,
      createdAt: deps.clock(),
      consumedAt: null,
      consumedByConfigId: null,
    };
    deps.store.putOAuthKey(record);
    return record;
  });
}
