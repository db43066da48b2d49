import type { Rule } from '../../rules.js';

const GET = 'https://docs.fruxon.com/api/integrations/core/integrations-get/';

/** The behaviours of the integration catalog: see `Rule` in src/rules.ts. */
export const CATALOG_RULES: readonly Rule[] = [
  {
    id: 'catalog-config-metadata',
    resource: 'catalog',
    summary: 'An integration\'s configMetadata has every documented field: each parametersMetadata item with typeName, integerRange, floatRange, options, asset, jsonSchema, uiHint and rules (null or [] when unused), each authMetadata item with sensitivity, authProviderName, authMap {useMap, keyTemplate, parametersMetadata}, authSettings {parameters} and availableScopes.',
    source: 'docs',
    quote: '"parametersMetadata": [ { "name": "string", "index": 0, "type": "String", "typeName": "string", "integerRange": null, "floatRange": null, "options": null, "asset": null, … "jsonSchema": null, "uiHint": null, "rules": [] } ]',
    page: GET,
    operations: ['listIntegrations', 'getIntegration'],
  },
  {
    id: 'catalog-mock-vocabularies',
    resource: 'catalog',
    summary: 'Values the docs show only as UNSPECIFIED are the mock\'s: auth metadata type (API_KEY, BEARER_TOKEN, BASIC, OAUTH2), integration type CUSTOM, and a parameter rule\'s effect SHOW and operator EQUALS in the fixtures.',
    source: 'mock',
    reason: 'The docs\' auth-type list is cut off after UNSPECIFIED, NONE, API_KEY and no page lists rule effects or operators. Do not switch on these exhaustively.',
    operations: ['listIntegrations', 'getIntegration'],
  },
  {
    id: 'tool-action-type-values',
    resource: 'catalog',
    summary: 'A tool\'s actionType is UNSPECIFIED, READ_ONLY, REVERSIBLE or IRREVERSIBLE.',
    source: 'docs',
    quote: 'actionType: UNSPECIFIED | READ_ONLY | REVERSIBLE | IRREVERSIBLE',
    page: 'https://docs.fruxon.com/api/integrations/tools/integrations-integration-tools-get/',
    operations: ['listIntegrationTools'],
  },
];
