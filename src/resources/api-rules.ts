import type { Rule } from '../rules.js';

/** The documented behaviours of api: see `Rule` in src/rules.ts. */
export const API_RULES: readonly Rule[] = [
  {
    id: 'no-unknown-properties',
    resource: 'api',
    summary: 'Request bodies with properties the spec does not name are a 400.',
    source: 'docs',
    quote: 'Request bodies are documented as [key: string]?never.',
    operations: [],
  },
  {
    id: 'tenant-isolation',
    resource: 'api',
    summary: 'A tenant never sees, changes or counts another tenant\'s records: they are 404.',
    source: 'docs',
    quote: 'Every endpoint is scoped by /v1/tenants/{tenant}.',
    operations: [],
  },
];
