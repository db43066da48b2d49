import type { ServiceDeps } from '../../deps.js';
import { findAuthMethod, findTool, secretParameterNames } from '../../catalog/catalog.js';
import type { IntegrationFixture } from '../../catalog/types.js';
import { nameUuid } from '../../generate/generator.js';
import { fieldError, problem } from '../../http/problems.js';
import type {
  AuthConfig,
  AuthMapEntry,
  ConfigRecord,
  JsonObject,
  OAuthKeyRecord,
  RevisionRecord,
  SandboxMode,
  SandboxVariant,
  StoredAuth,
} from '../../store/types.js';
import { configUsage } from '../agents/slots.js';
import { tenantIntegrationOr404 } from '../catalog/integrations.js';
import { consentUrl } from '../oauth/keys.js';
import { fillTemplate } from './tool-response.js';
import { withoutSecrets } from './view.js';

export type ConfigBody = {
  integrationId?: string | null;
  displayName?: string | null;
  parameters?: JsonObject | null;
  auth?: Partial<AuthConfig>;
  authMap?: Partial<AuthMapEntry>[] | null;
  sandboxMode?: SandboxMode;
  sandboxVariant?: Partial<SandboxVariant>;
  oAuthCredentialKey?: string | null;
};

type Scope = { tenant: string; integrationId: string; user: string };


/** The config of this tenant and integration, or 404 (rule tenant-isolation). */
export function configOr404(deps: ServiceDeps, tenant: string, integrationId: string, id: string): ConfigRecord {
  const config = deps.store.findConfig(tenant, integrationId, id);
  if (!config) throw problem('notFound', `Config '${id}' was not found for integration '${integrationId}'.`);
  return config;
}

export async function createConfig(deps: ServiceDeps, scope: Scope, body: ConfigBody): Promise<ConfigRecord> {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  // Everything is checked before anything is written: a failed create stores nothing.
  const auth = body.auth ? checkAuth(integration, body.auth, 'auth') : null;
  const authMap = checkAuthMap(integration, body.authMap ?? [], 'authMap');
  const variant = body.sandboxVariant ? checkVariant(integration, body.sandboxVariant) : null;
  const key = body.oAuthCredentialKey ? usableKey(deps, scope, body.oAuthCredentialKey) : undefined;

  return deps.store.mutate(() => {
    const sequence = deps.store.nextSequence();
    const now = deps.clock();
    const config: ConfigRecord = {
      id: deps.generator.uuid(sequence),
      tenant: scope.tenant,
      // Rule route-integration-id-wins: the body's integrationId is ignored, silently.
      integrationId: integration.id,
      displayName: body.displayName ?? null,
      parameters: body.parameters ?? {},
      auth: auth ? grant(deps, integration, auth, sequence) : null,
      authMap,
      sandboxMode: sandboxModeOr(body.sandboxMode, 'NONE'),
      sandboxVariant: variant,
      // Rule config-starts-as-draft.
      publishedRevisionId: null,
      createdBy: scope.user,
      createdAt: now,
      modifiedAt: now,
    };
    if (key) config.auth = consumeKey(deps, key, config.id, now);
    deps.store.putConfig(config);
    return config;
  });
}

/** Rule patch-edits-draft-only: null or absent fields keep their value. */
export async function updateConfig(
  deps: ServiceDeps,
  scope: Scope,
  id: string,
  body: ConfigBody,
): Promise<ConfigRecord> {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const current = configOr404(deps, scope.tenant, scope.integrationId, id);
  const auth = body.auth ? checkAuth(integration, body.auth, 'auth') : undefined;
  const authMap = body.authMap ? checkAuthMap(integration, body.authMap, 'authMap') : undefined;
  const variant = body.sandboxVariant ? checkVariant(integration, body.sandboxVariant) : undefined;
  const key = body.oAuthCredentialKey ? usableKey(deps, scope, body.oAuthCredentialKey) : undefined;

  return deps.store.mutate(() => {
    const now = deps.clock();
    const next: ConfigRecord = {
      ...current,
      displayName: body.displayName ?? current.displayName,
      parameters: body.parameters ?? current.parameters,
      auth: auth ? grant(deps, integration, auth, deps.store.nextSequence()) : current.auth,
      authMap: authMap ?? current.authMap,
      sandboxMode: sandboxModeOr(body.sandboxMode, current.sandboxMode),
      sandboxVariant: variant ?? current.sandboxVariant,
      modifiedAt: now,
    };
    if (key) next.auth = consumeKey(deps, key, current.id, now);
    deps.store.putConfig(next);
    return next;
  });
}

export async function deleteConfig(deps: ServiceDeps, scope: Scope, id: string): Promise<void> {
  tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, scope.integrationId, id);
  // Rule config-delete-refused-while-used.
  const users = configUsage(deps, scope.tenant, config.id);
  if (users.length > 0) {
    const names = users.map((u) => `'${u.agentId}'`).join(', ');
    throw problem('configInUse', `Config '${config.id}' is still referenced by agents ${names}: remove it from their integration slots first (GET …/configs/${config.id}/usage lists them).`);
  }
  // Rule delete-cascades-revisions; rule webhook-key-dies-with-config: its inbound URL stops matching too.
  await deps.store.mutate(() => {
    if (config.webhookKeyId) deps.store.deleteWebhookKey(config.webhookKeyId);
    deps.store.deleteConfig(config.id);
  });
}

/** Rule publish-snapshots-draft. */
export async function publishConfig(
  deps: ServiceDeps,
  scope: Scope,
  id: string,
  note: string | null,
): Promise<RevisionRecord> {
  tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, scope.integrationId, id);
  return deps.store.mutate(() => {
    // O(1) however often the config was published: the newest revision holds the highest version.
    const latest = deps.store.latestRevision(scope.tenant, config.id);
    const revision: RevisionRecord = {
      id: deps.generator.uuid(deps.store.nextSequence()),
      tenant: scope.tenant,
      tenantId: nameUuid(scope.tenant),
      configId: config.id,
      version: (latest?.version ?? 0) + 1,
      // A copy that shares nothing with the draft. Records are JSON (they are journaled as such), and a JSON
      // round trip copies them several times faster than structuredClone.
      ...(JSON.parse(
        JSON.stringify({
          parameters: config.parameters,
          auth: config.auth,
          authMap: config.authMap,
          sandboxMode: config.sandboxMode,
          sandboxVariant: config.sandboxVariant,
        }),
      ) as Pick<RevisionRecord, 'parameters' | 'auth' | 'authMap' | 'sandboxMode' | 'sandboxVariant'>),
      note,
      createdBy: scope.user,
      createdAt: deps.clock(),
    };
    deps.store.putRevision(revision);
    deps.store.putConfig({ ...config, publishedRevisionId: revision.id });
    return revision;
  });
}

/** Rule rollback-repoints-only. */
export async function rollbackConfig(
  deps: ServiceDeps,
  scope: Scope,
  id: string,
  revisionId: string,
): Promise<RevisionRecord> {
  tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, scope.integrationId, id);
  const revision = revisionOr404(deps, scope.tenant, config.id, revisionId);
  return deps.store.mutate(() => {
    deps.store.putConfig({ ...config, publishedRevisionId: revision.id });
    return revision;
  });
}

/** Rule published-revision-get: the revision tool calls resolve, or 400 when the config was never published. */
export function getPublishedRevision(deps: ServiceDeps, scope: Scope, id: string): RevisionRecord {
  tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, scope.integrationId, id);
  if (!config.publishedRevisionId) {
    throw problem('configNotPublished', `Config '${config.id}' has never been published; call :publish first.`);
  }
  return revisionOr404(deps, scope.tenant, config.id, config.publishedRevisionId);
}

/** Rule revisions-belong-to-config. */
export function revisionOr404(deps: ServiceDeps, tenant: string, configId: string, id: string): RevisionRecord {
  const revision = deps.store.findRevision(tenant, configId, id);
  if (!revision) throw problem('notFound', `Revision '${id}' was not found for config '${configId}'.`);
  return revision;
}

/** Rule tools-resolve-published-revision: the tool runs against the published revision, never the draft. */
export function testTool(
  deps: ServiceDeps,
  scope: Scope,
  id: string,
  toolId: string | null,
  parameters: JsonObject | null,
): { revision: RevisionRecord; response: string } {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, scope.integrationId, id);
  if (toolId === null) {
    throw problem('validation', 'toolId is required.', { errors: fieldError('toolId', 'must not be null') });
  }
  // The published revision is checked before the tool: an unpublished config is the documented 400
  // whatever the tool id.
  if (!config.publishedRevisionId) {
    throw problem(
      'configNotPublished',
      `Config '${config.id}' has no published revision; call :publish before running tools against it.`,
    );
  }
  const tool = findTool(integration, toolId);
  if (!tool) throw problem('notFound', `Integration '${integration.id}' has no tool '${toolId}'.`);
  const revision = revisionOr404(deps, scope.tenant, config.id, config.publishedRevisionId);
  const faker = deps.generator.fakerFor(`${revision.id}:${tool.id}:${JSON.stringify(parameters ?? {})}`, 'tool');
  return { revision, response: JSON.stringify(fillTemplate(tool.response, faker)) };
}

export type VerifyOutcome = { success: boolean; error: string | null; authorizationUrl: string | null };

/** Rule verify-auth-needs-auth: verifies the draft's credentials. */
export function verifyAuth(
  deps: ServiceDeps,
  scope: Scope & { baseUrl: string },
  id: string,
  authMapIndex: number | undefined,
) {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, scope.integrationId, id);
  if (!config.auth && config.authMap.length === 0) {
    throw problem('configHasNoAuth', `Config '${config.id}' has neither auth nor authMap to verify.`);
  }
  if (authMapIndex !== undefined && authMapIndex >= config.authMap.length) {
    throw problem('validation', `authMapIndex ${authMapIndex} is out of range: the config has ${config.authMap.length} authMap entries.`, {
      errors: fieldError('authMapIndex', `must be less than ${config.authMap.length}`),
    });
  }
  const check = (auth: AuthConfig | null) => verifyOne(integration, auth, { ...scope, configId: config.id });
  const entries = authMapIndex === undefined ? config.authMap : [config.authMap[authMapIndex]!];
  // Rule verify-auth-never-echoes-credentials: an entry's parameters come back as on reads, secret-flagged
  // ones left out.
  const secrets = secretParameterNames(integration);
  const authMapResults = entries.map((e) => ({ parameters: withoutSecrets(e.parameters ?? {}, secrets), ...check(e.authConfig) }));
  const overall: VerifyOutcome = config.auth
    ? check(config.auth)
    : {
        success: authMapResults.every((r) => r.success),
        error: authMapResults.find((r) => r.error)?.error ?? null,
        authorizationUrl: null,
      };
  return { ...overall, authMapResults };
}

/** Verifies one auth config against the integration's method; the webhook and identity calls reuse it. */
export function verifyOne(
  integration: IntegrationFixture,
  auth: AuthConfig | StoredAuth | null,
  context: Pick<Scope, 'tenant'> & { baseUrl: string; configId?: string },
): VerifyOutcome {
  if (!auth) return { success: false, error: 'The entry has no auth config.', authorizationUrl: null };
  const method = findAuthMethod(integration, auth.integrationAuthMetadataId);
  if (!method) {
    return { success: false, error: `Auth method '${auth.integrationAuthMetadataId}' is not offered.`, authorizationUrl: null };
  }
  if (method.type === 'OAUTH2') {
    if ('source' in auth && auth.source === 'OAUTH') return { success: true, error: null, authorizationUrl: null };
    const url = consentUrl(context.baseUrl, {
      tenant: context.tenant,
      integration: integration.id,
      method: method.id,
      config: context.configId,
    });
    return { success: false, error: 'The OAuth grant has not been completed.', authorizationUrl: url };
  }
  const given = auth.parameters ?? {};
  const missing = method.parameters
    .filter((p) => p.required && (given[p.name] === undefined || given[p.name] === null || given[p.name] === ''))
    .map((p) => p.name);
  return missing.length === 0
    ? { success: true, error: null, authorizationUrl: null }
    : { success: false, error: `Missing required credential(s): ${missing.join(', ')}.`, authorizationUrl: null };
}

export type AdHocVerifyBody = {
  authMetadataId: string | null;
  authConfig: Partial<AuthConfig>;
  configParameters?: JsonObject | null;
};

/**
 * `:verifyConfig`: verifies credentials sent in the request, as `:verifyAuth` verifies a config's. Nothing
 * is stored and the answer never repeats a credential (rules verify-config-ad-hoc, verify-config-supported).
 */
export function verifyAdHocConfig(
  deps: ServiceDeps,
  scope: { tenant: string; integrationId: string; baseUrl: string },
  body: AdHocVerifyBody,
) {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const methodId = body.authMetadataId ?? body.authConfig.integrationAuthMetadataId ?? null;
  if (methodId === null) {
    throw problem('validation', 'Name the auth method to verify.', { errors: fieldError('authMetadataId', 'is required') });
  }
  const method = findAuthMethod(integration, methodId);
  if (!method) {
    const offered = integration.authMethods.map((m) => m.id).join(', ') || 'none';
    throw problem('unknownAuthMethod', `Integration '${integration.id}' has no auth method '${methodId}'; it offers: ${offered}.`, {
      errors: fieldError('authMetadataId', `must be one of: ${offered}`),
    });
  }
  if (!method.configTestSupported) {
    throw problem('verificationUnsupported', `Auth method '${method.id}' of integration '${integration.id}' does not support verification.`, {
      errors: fieldError('authMetadataId', 'the method has configTestSupported = false'),
    });
  }
  const auth: AuthConfig = { integrationAuthMetadataId: method.id, level: body.authConfig.level ?? 'APPLICATION', parameters: body.authConfig.parameters ?? {} };
  return { ...verifyOne(integration, auth, { tenant: scope.tenant, baseUrl: scope.baseUrl }), authMapResults: [] };
}

/** Rule sandbox-mode-defaults-to-none: an omitted or UNSPECIFIED mode means "not sent". */
function sandboxModeOr(sent: SandboxMode | undefined, fallback: SandboxMode): SandboxMode {
  return sent && sent !== 'UNSPECIFIED' ? sent : fallback;
}

function checkAuth(integration: IntegrationFixture, auth: Partial<AuthConfig>, field: string): AuthConfig {
  const id = auth.integrationAuthMetadataId ?? null;
  const method = findAuthMethod(integration, id);
  if (!method) {
    const offered = integration.authMethods.map((m) => m.id).join(', ') || 'none';
    throw problem('unknownAuthMethod', `Integration '${integration.id}' has no auth method '${id}'; it offers: ${offered}.`, {
      errors: fieldError(`${field}.integrationAuthMetadataId`, `must be one of: ${offered}`),
    });
  }
  const level = !auth.level || auth.level === 'UNSPECIFIED' ? 'APPLICATION' : auth.level;
  if (!method.supportedLevels.includes(level)) {
    throw problem('validation', `Auth method '${method.id}' does not support level ${level}.`, {
      errors: fieldError(`${field}.level`, `must be one of: ${method.supportedLevels.join(', ')}`),
    });
  }
  return { integrationAuthMetadataId: method.id, level, parameters: auth.parameters ?? {} };
}

function checkAuthMap(integration: IntegrationFixture, entries: Partial<AuthMapEntry>[], field: string): AuthMapEntry[] {
  return entries.map((entry, index) => ({
    parameters: entry.parameters ?? {},
    authConfig: entry.authConfig ? checkAuth(integration, entry.authConfig, `${field}[${index}].authConfig`) : null,
  }));
}

function checkVariant(integration: IntegrationFixture, variant: Partial<SandboxVariant>): SandboxVariant {
  return {
    parameters: variant.parameters ?? {},
    auth: variant.auth ? checkAuth(integration, variant.auth, 'sandboxVariant.auth') : null,
    authMap: checkAuthMap(integration, variant.authMap ?? [], 'sandboxVariant.authMap'),
  };
}

/** Adds what the server learns on a grant: the scopes (faked from the method's scopes). */
function grant(deps: ServiceDeps, integration: IntegrationFixture, auth: AuthConfig, sequence: number): StoredAuth {
  const method = findAuthMethod(integration, auth.integrationAuthMetadataId)!;
  const scopes =
    method.availableScopes.length > 0
      ? deps.generator.fakerFor(sequence, 'scopes').helpers.arrayElements(method.availableScopes, { min: 1, max: method.availableScopes.length })
      : [];
  return { ...auth, grantedScopes: scopes, source: 'REQUEST' };
}

/**
 * `:consumeOAuthCredentials`: binds the key's credentials to an existing config, exactly as an inline
 * `oAuthCredentialKey` does (rule oauth-key-single-use). A config that is not there is a 400, as documented.
 */
export async function consumeCredentialKey(
  deps: ServiceDeps,
  scope: Pick<Scope, 'tenant' | 'integrationId'>,
  configId: string,
  key: string,
): Promise<ConfigRecord> {
  const config = deps.store.findConfig(scope.tenant, scope.integrationId, configId);
  if (!config) {
    throw problem('invalidReference', `Config '${configId}' was not found for integration '${scope.integrationId}'.`, {
      errors: fieldError('integrationConfigId', 'no such config for this integration'),
    });
  }
  const record = usableKey(deps, scope, key, 'credentialKey');
  return deps.store.mutate(() => {
    const now = deps.clock();
    const next: ConfigRecord = { ...config, auth: consumeKey(deps, record, config.id, now), modifiedAt: now };
    deps.store.putConfig(next);
    return next;
  });
}

/** Rule oauth-key-single-use: the key must exist, be unused, and belong to this tenant and integration. */
function usableKey(
  deps: ServiceDeps,
  scope: Pick<Scope, 'tenant' | 'integrationId'>,
  key: string,
  field = 'oAuthCredentialKey',
): OAuthKeyRecord {
  const record = deps.store.findOAuthKey(key);
  const reject = (why: string) =>
    problem('invalidCredentialKey', `The ${field} cannot be used: ${why}.`, {
      errors: fieldError(field, why),
    });
  if (!record || record.tenant !== scope.tenant) throw reject('no such key was issued');
  if (record.integrationId !== scope.integrationId) throw reject(`it was issued for integration '${record.integrationId}'`);
  if (record.consumedAt !== null) throw reject('it has already been used');
  return record;
}

/** Marks the key used and returns the config-scoped auth it materialises. Call inside a mutation. */
function consumeKey(deps: ServiceDeps, key: OAuthKeyRecord, configId: string, now: number): StoredAuth {
  deps.store.putOAuthKey({ ...key, consumedAt: now, consumedByConfigId: configId });
  return {
    integrationAuthMetadataId: key.authMethodId,
    level: 'APPLICATION',
    parameters: { access_token: key.accessToken, refresh_token: key.refreshToken },
    grantedScopes: [...key.scopes],
    source: 'OAUTH',
  };
}
