import type { ServiceDeps } from '../../deps.js';
import { findAuthMethod } from '../../catalog/catalog.js';
import { tenantIntegrationOr404 } from '../catalog/integrations.js';
import { fieldError, problem } from '../../http/problems.js';
import type { AuthMethodFixture, IntegrationFixture } from '../../catalog/types.js';
import type { OAuthKeyRecord } from '../../store/types.js';

export type MintRequest = { tenant: string; integrationId: string; authMethodId?: string; scopes?: string[] };

/**
 * Mints the single-use key the OAuth success popup hands the frontend. The provider tokens it stands for
 * are faked and stored with it; they reach a config only when the key is consumed.
 */
export async function mintOAuthCredentialKey(deps: ServiceDeps, request: MintRequest): Promise<OAuthKeyRecord> {
  const { integration, method, scopes } = resolveOAuthGrant(deps, request);
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

export type OAuthGrant = { integration: IntegrationFixture; method: AuthMethodFixture; scopes: string[] };

/**
 * The integration, OAuth method and scopes a grant would be for: 404 for an unknown integration, 400 for a
 * method that is not OAuth or scopes the method does not offer. No scopes means the method's defaults.
 */
export function resolveOAuthGrant(deps: Pick<ServiceDeps, 'catalog' | 'store'>, request: MintRequest): OAuthGrant {
  const integration = tenantIntegrationOr404(deps, request.tenant, request.integrationId);
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
  return { integration, method, scopes: [...scopes] };
}

/** The mock's consent page for a grant: where `:authorize` and `:verifyAuth` send the user. */
export function consentUrl(
  baseUrl: string,
  grant: { tenant: string; integration: string; method: string; scopes?: string[]; config?: string },
): string {
  // Appended, not resolved: a public URL may carry a path prefix (`public-url-base`).
  const url = new URL(`${baseUrl}/__mock/oauth/authorize`);
  const query = new URLSearchParams({ tenant: grant.tenant, integration: grant.integration, method: grant.method });
  if (grant.scopes?.length) query.set('scopes', grant.scopes.join(' '));
  if (grant.config) query.set('config', grant.config);
  url.search = query.toString();
  return url.toString();
}
