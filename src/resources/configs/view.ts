import { secretParameterNames } from '../../catalog/catalog.js';
import type { IntegrationFixture } from '../../catalog/types.js';
import type {
  AuthConfig,
  AuthMapEntry,
  ConfigRecord,
  JsonObject,
  RevisionRecord,
  SandboxVariant,
} from '../../store/types.js';

// Rule secrets-never-returned: every response goes through these views. Auth parameters are credentials
// and always come back as {}; connection parameters flagged secret in the catalog are left out.

export function toConfigView(config: ConfigRecord, integration: IntegrationFixture) {
  const secrets = secretParameterNames(integration);
  return {
    id: config.id,
    integrationId: config.integrationId,
    displayName: config.displayName,
    parameters: withoutSecrets(config.parameters, secrets),
    hasAuth: config.auth !== null,
    hasAuthMap: config.authMap.length > 0,
    authMethodId: config.auth?.integrationAuthMetadataId ?? null,
    auth: config.auth
      ? {
          level: config.auth.level,
          integrationAuthMetadataId: config.auth.integrationAuthMetadataId,
          grantedScopes: config.auth.grantedScopes,
        }
      : null,
    authMapEntries: config.authMap.map((e) => ({ parameters: withoutSecrets(e.parameters ?? {}, secrets) })),
    sandboxMode: config.sandboxMode,
    sandboxVariant: redactVariant(config.sandboxVariant, secrets),
    publishedRevisionId: config.publishedRevisionId,
    createdBy: config.createdBy,
    createdAt: config.createdAt,
    modifiedAt: config.modifiedAt,
  };
}

export function toRevisionView(revision: RevisionRecord, integration: IntegrationFixture) {
  const secrets = secretParameterNames(integration);
  return {
    id: revision.id,
    tenantId: revision.tenantId,
    configId: revision.configId,
    version: revision.version,
    parameters: withoutSecrets(revision.parameters, secrets),
    auth: redactAuth(revision.auth),
    authMap: revision.authMap.map((e) => redactEntry(e, secrets)),
    sandboxMode: revision.sandboxMode,
    sandboxVariant: redactVariant(revision.sandboxVariant, secrets),
    note: revision.note,
    createdBy: revision.createdBy,
    createdAt: revision.createdAt,
  };
}

export function withoutSecrets(parameters: JsonObject, secrets: Set<string>): JsonObject {
  return Object.fromEntries(Object.entries(parameters).filter(([name]) => !secrets.has(name)));
}

function redactAuth(auth: AuthConfig | null): AuthConfig | null {
  return auth ? { integrationAuthMetadataId: auth.integrationAuthMetadataId, level: auth.level, parameters: {} } : null;
}

function redactEntry(entry: AuthMapEntry, secrets: Set<string>): AuthMapEntry {
  return { parameters: withoutSecrets(entry.parameters ?? {}, secrets), authConfig: redactAuth(entry.authConfig) };
}

function redactVariant(variant: SandboxVariant | null, secrets: Set<string>): SandboxVariant | null {
  if (!variant) return null;
  return {
    parameters: withoutSecrets(variant.parameters ?? {}, secrets),
    auth: redactAuth(variant.auth),
    authMap: (variant.authMap ?? []).map((e) => redactEntry(e, secrets)),
  };
}
