import { FIXTURE_EPOCH } from '../../catalog/catalog.js';
import type { IntegrationFixture, ParameterFixture } from '../../catalog/types.js';
import type { CustomIntegrationRecord, Json, JsonObject } from '../../store/types.js';
import { toIntegrationFixture } from './integrations.js';

/** Every documented ParameterMetadata field; what a fixture leaves out is null (or []), as the docs' sample shows. */
export function toParameterView(p: ParameterFixture, index: number) {
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


/** Documented ParameterMetadata fields the mock keeps for custom integrations but has no behaviour for. */
const PARAMETER_EXTRAS = ['typeName', 'integerRange', 'floatRange', 'options', 'asset', 'jsonSchema', 'uiHint', 'rules'] as const;
/** The same for AuthMetadata (`authSettings` is not here: it holds credentials). */
const AUTH_EXTRAS = ['sensitivity', 'authProviderName', 'authMap'] as const;

/**
 * A custom integration as its tenant reads it: the fixture view of it plus the documented metadata fields
 * it was created with. Rule custom-integration-credentials-hidden: every auth method's
 * `authSettings.parameters` comes back as `{}`, and a secret parameter's `defaultValue` is left out.
 */
export function toCustomIntegrationView(record: CustomIntegrationRecord) {
  const view = toIntegrationView(toIntegrationFixture(record));
  const storedParameters = record.configMetadata.parametersMetadata;
  const storedMethods = record.configMetadata.authMetadata;
  return {
    ...view,
    configMetadata: {
      parametersMetadata: view.configMetadata.parametersMetadata.map((p, i) => ({ ...p, ...extras(storedParameters[i], PARAMETER_EXTRAS) })),
      authMetadata: view.configMetadata.authMetadata.map((m, i) => {
        const stored = storedMethods[i] ?? {};
        const storedMethodParameters = Array.isArray(stored.parametersMetadata) ? (stored.parametersMetadata as JsonObject[]) : [];
        return {
          ...m,
          ...extras(stored, AUTH_EXTRAS),
          authSettings: { parameters: {} },
          parametersMetadata: m.parametersMetadata.map((p, j) => ({ ...p, ...extras(storedMethodParameters[j], PARAMETER_EXTRAS) })),
        };
      }),
    },
  };
}

function extras(stored: JsonObject | undefined, names: readonly string[]): Record<string, Json> {
  const picked: Record<string, Json> = {};
  for (const name of names) if (stored && stored[name] !== undefined) picked[name] = stored[name]!;
  return picked;
}
