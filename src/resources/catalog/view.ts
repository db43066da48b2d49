import { FIXTURE_EPOCH } from '../../catalog/catalog.js';
import type { IntegrationFixture, ParameterFixture } from '../../catalog/types.js';
import type { CustomIntegrationRecord } from '../../store/types.js';
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


/**
 * A custom integration as its tenant reads it. Rule custom-integration-credentials-hidden: every auth
 * method's `authSettings.parameters` comes back as `{}`, and a secret parameter's `defaultValue` as null.
 */
export function toCustomIntegrationView(record: CustomIntegrationRecord) {
  const view = toIntegrationView(toIntegrationFixture(record));
  return {
    ...view,
    configMetadata: {
      ...view.configMetadata,
      authMetadata: view.configMetadata.authMetadata.map((m) => ({ ...m, authSettings: { parameters: {} } })),
    },
  };
}
