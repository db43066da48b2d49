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
  {
    id: 'store-write-failure',
    resource: 'api',
    summary:
      'A change the store cannot make durable is undone and answered 507 (disk full) or 503 (other I/O failure) with Retry-After: 1; reads wait for writes in flight, so they never show it.',
    source: 'mock',
    reason:
      'The real API would answer a storage outage with a 5xx; a mock must not show or keep a record it could not write, and must recover when the disk does (docs/store.md).',
    operations: [],
  },
];
