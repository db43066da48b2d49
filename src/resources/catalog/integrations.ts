import type { ServiceDeps } from '../../deps.js';
import { findIntegration, secretParameterNames } from '../../catalog/catalog.js';
import type { AuthMethodFixture, AuthMethodType, IntegrationFixture, ParameterFixture } from '../../catalog/types.js';
import { fieldError, problem, type FieldErrors } from '../../http/problems.js';
import type { CustomIntegrationRecord, JsonObject } from '../../store/types.js';

type Lookup = Pick<ServiceDeps, 'catalog' | 'store'>;

type MetadataBody = { parametersMetadata?: JsonObject[] | null; authMetadata?: JsonObject[] | null } | null;

export type IntegrationBody = {
  id?: string | null;
  displayName?: string | null;
  description?: string | null;
  configMetadata?: MetadataBody;
};

/**
 * The integration `id` as this tenant sees it: a fixture (the same in every tenant) or one of the tenant's
 * custom integrations (rule custom-integration-per-tenant). Undefined when neither has it.
 */
export function findTenantIntegration(deps: Lookup, tenant: string, id: string): IntegrationFixture | undefined {
  const fixture = findIntegration(deps.catalog, id);
  if (fixture) return fixture;
  const custom = deps.store.findCustomIntegration(tenant, id);
  return custom ? toIntegrationFixture(custom) : undefined;
}

/** The tenant's integration, or a 404 problem (rule unknown-integration-404). */
export function tenantIntegrationOr404(deps: Lookup, tenant: string, id: string): IntegrationFixture {
  const integration = findTenantIntegration(deps, tenant, id);
  if (!integration) throw problem('notFound', `Integration '${id}' was not found.`);
  return integration;
}

/**
 * Every connection or auth parameter flagged secret, in the fixtures or in any tenant's custom
 * integrations: the journal and the state export redact values under these names. Looked up when asked,
 * so integrations created later are covered.
 */
export function secretNamesOf(deps: Lookup): { has(name: string): boolean } {
  const fixtures = new Set(deps.catalog.integrations.flatMap((i) => [...secretParameterNames(i)]));
  return {
    has: (name) =>
      fixtures.has(name) ||
      deps.store.allCustomIntegrations().some((record) => secretParameterNames(toIntegrationFixture(record)).has(name)),
  };
}

/** Rules custom-integration-create and custom-integration-lengths. */
export async function createCustomIntegration(
  deps: ServiceDeps,
  tenant: string,
  body: IntegrationBody,
): Promise<CustomIntegrationRecord> {
  const id = body.id ?? null;
  if (id === null) {
    throw problem('validation', 'An integration needs an id.', { errors: fieldError('id', 'is required') });
  }
  if (findTenantIntegration(deps, tenant, id)) {
    throw problem('validation', `Integration id '${id}' is already used in tenant '${tenant}'.`, {
      errors: fieldError('id', 'must be unique within the tenant'),
    });
  }
  const configMetadata = checkMetadata(body.configMetadata ?? null, undefined);
  return deps.store.mutate(() => {
    const now = deps.clock();
    const record: CustomIntegrationRecord = {
      id: `${tenant}/${id}`,
      tenant,
      integrationId: id,
      displayName: body.displayName ?? null,
      description: body.description ?? null,
      configMetadata,
      createdAt: now,
      modifiedAt: now,
    };
    deps.store.putCustomIntegration(record);
    return record;
  });
}

/** Rules custom-integration-update and fixture-integrations-read-only. */
export async function updateCustomIntegration(
  deps: ServiceDeps,
  tenant: string,
  id: string,
  body: IntegrationBody,
): Promise<CustomIntegrationRecord> {
  const current = customIntegrationOr404(deps, tenant, id);
  const configMetadata = body.configMetadata ? checkMetadata(body.configMetadata, current) : current.configMetadata;
  return deps.store.mutate(() => {
    const next: CustomIntegrationRecord = {
      ...current,
      displayName: body.displayName ?? current.displayName,
      description: body.description ?? current.description,
      configMetadata,
      modifiedAt: deps.clock(),
    };
    deps.store.putCustomIntegration(next);
    return next;
  });
}

/** Rules custom-integration-delete-needs-no-configs and fixture-integrations-read-only. */
export async function deleteCustomIntegration(deps: ServiceDeps, tenant: string, id: string): Promise<void> {
  const record = customIntegrationOr404(deps, tenant, id);
  const configs = deps.store.listConfigs(tenant, id);
  if (configs.length > 0) {
    throw problem(
      'integrationHasConfigs',
      `Integration '${id}' still has ${configs.length} config(s) (${configs.map((c) => c.id).join(', ')}); delete them first.`,
    );
  }
  await deps.store.mutate(() => deps.store.deleteCustomIntegration(record.id));
}

/**
 * The tenant's custom integration. A fixture (system) integration is 404 here too: the docs say system
 * integrations "cannot be deleted and return 404", and the mock answers an update the same way.
 */
export function customIntegrationOr404(deps: Lookup, tenant: string, id: string): CustomIntegrationRecord {
  const record = deps.store.findCustomIntegration(tenant, id);
  if (!record) {
    const why = findIntegration(deps.catalog, id) ? 'is a system integration, which cannot be changed' : 'was not found';
    throw problem('notFound', `Integration '${id}' ${why}.`);
  }
  return record;
}

/** The behaviour-bearing fixture shape of a custom integration, so configs work on it as on any other. */
export function toIntegrationFixture(record: CustomIntegrationRecord): IntegrationFixture {
  const { parametersMetadata, authMetadata } = record.configMetadata;
  return {
    id: record.integrationId,
    // Rule custom-integration-defaults: the read model documents both as strings.
    displayName: record.displayName ?? record.integrationId,
    description: record.description ?? '',
    type: 'CUSTOM',
    tags: [],
    provider: record.integrationId,
    webhookOwnership: 'NONE',
    addressFormat: null,
    parameters: parametersMetadata.map(toParameterFixture),
    authMethods: authMetadata.map(toAuthMethodFixture),
    tools: [],
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
  };
}

function toParameterFixture(p: JsonObject): ParameterFixture {
  const secret = p.secret === true;
  // The documented extras are kept as sent (the request schema gives them the read model's shapes).
  const extras = Object.fromEntries(PARAMETER_EXTRAS.filter((name) => p[name] !== undefined).map((name) => [name, p[name]]));
  return {
    ...(extras as Partial<ParameterFixture>),
    name: String(p.name),
    displayName: typeof p.displayName === 'string' ? p.displayName : String(p.name),
    description: typeof p.description === 'string' ? p.description : '',
    type: typeof p.type === 'string' ? p.type : 'String',
    required: p.required === true,
    secret,
    // A secret parameter's default is a credential: kept, never shown.
    ...(p.defaultValue === undefined || secret ? {} : { defaultValue: p.defaultValue }),
  };
}

/** Documented ParameterMetadata fields a custom integration may carry; the mock has no behaviour for them. */
const PARAMETER_EXTRAS = ['typeName', 'integerRange', 'floatRange', 'options', 'asset', 'jsonSchema', 'uiHint', 'rules'] as const;

function toAuthMethodFixture(m: JsonObject): AuthMethodFixture {
  const authMap = m.authMap as JsonObject | null | undefined;
  const levels = Array.isArray(m.supportedLevels) ? m.supportedLevels.filter((l) => l !== 'UNSPECIFIED').map(String) : [];
  return {
    id: String(m.id),
    displayName: typeof m.displayName === 'string' ? m.displayName : String(m.id),
    description: typeof m.description === 'string' ? m.description : '',
    type: (typeof m.type === 'string' ? m.type : 'UNSPECIFIED') as AuthMethodType,
    configTestSupported: m.configTestSupported === true,
    supportedLevels: levels.length > 0 ? levels : ['APPLICATION'],
    availableScopes: Array.isArray(m.availableScopes) ? m.availableScopes.map(String) : [],
    parameters: (Array.isArray(m.parametersMetadata) ? (m.parametersMetadata as JsonObject[]) : []).map(toParameterFixture),
    ...(typeof m.sensitivity === 'string' ? { sensitivity: m.sensitivity } : {}),
    ...(typeof m.authProviderName === 'string' ? { authProviderName: m.authProviderName } : {}),
    ...(authMap?.useMap === true
      ? {
          authMap: {
            keyTemplate: typeof authMap.keyTemplate === 'string' ? authMap.keyTemplate : null,
            parameters: (Array.isArray(authMap.parametersMetadata) ? (authMap.parametersMetadata as JsonObject[]) : []).map(toParameterFixture),
          },
        }
      : {}),
  };
}

/**
 * Checks names are unique (parameters, auth methods, each method's parameters) and, on an update, keeps a
 * list the body leaves out and the stored `authSettings.parameters` of a method the body sends without them (rule custom-integration-update:
 * "Omit credential fields to keep existing values unchanged"). Sent values replace stored ones key by key.
 */
function checkMetadata(
  metadata: MetadataBody,
  current: CustomIntegrationRecord | undefined,
): CustomIntegrationRecord['configMetadata'] {
  // On an update, a list left out (or null) is kept, as every other null or absent field is.
  const parametersMetadata = metadata?.parametersMetadata ?? current?.configMetadata.parametersMetadata ?? [];
  const authMetadata = metadata?.authMetadata ?? current?.configMetadata.authMetadata ?? [];
  const errors: FieldErrors = {};
  const duplicates = (items: JsonObject[], key: string, field: string) => {
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      if (seen.has(item[key])) errors[`${field}[${index}].${key}`] = [`'${String(item[key])}' is used twice`];
      seen.add(item[key]);
    });
  };
  duplicates(parametersMetadata, 'name', 'configMetadata.parametersMetadata');
  duplicates(authMetadata, 'id', 'configMetadata.authMetadata');
  authMetadata.forEach((m, i) => {
    if (Array.isArray(m.parametersMetadata)) duplicates(m.parametersMetadata as JsonObject[], 'name', `configMetadata.authMetadata[${i}].parametersMetadata`);
  });
  if (Object.keys(errors).length > 0) {
    throw problem('validation', 'Names in configMetadata must be unique.', { errors });
  }
  const storedMethods = current?.configMetadata.authMetadata ?? [];
  return {
    parametersMetadata: parametersMetadata.map((p) => ({ ...p })),
    authMetadata: authMetadata.map((m) => {
      const stored = storedMethods.find((s) => s.id === m.id);
      const storedCredentials = ((stored?.authSettings as JsonObject | undefined)?.parameters ?? {}) as JsonObject;
      const sent = ((m.authSettings as JsonObject | null | undefined)?.parameters ?? null) as JsonObject | null;
      return { ...m, authSettings: { parameters: { ...storedCredentials, ...(sent ?? {}) } } };
    }),
  };
}
