import { problem } from '../http/problems.js';
import type { AgentFixture, AuthMethodFixture, Catalog, IntegrationFixture, ToolFixture } from './types.js';

/** Fixture records carry no timestamps unless they say so; this is the fixed default (2026-01-01). */
export const FIXTURE_EPOCH = 1767225600000;

export function findIntegration(catalog: Catalog, id: string): IntegrationFixture | undefined {
  return catalog.integrations.find((i) => i.id === id);
}

/** The catalog's integration, or a 404 problem (rule unknown-integration-404). */
export function integrationOr404(catalog: Catalog, id: string): IntegrationFixture {
  const integration = findIntegration(catalog, id);
  if (!integration) throw problem('notFound', `Integration '${id}' was not found.`);
  return integration;
}

export function findAuthMethod(integration: IntegrationFixture, id: string | null): AuthMethodFixture | undefined {
  return integration.authMethods.find((m) => m.id === id);
}

export function findTool(integration: IntegrationFixture, id: string): ToolFixture | undefined {
  return integration.tools.find((t) => t.id === id);
}

export function findAgent(catalog: Catalog, id: string): AgentFixture | undefined {
  return catalog.agents.find((a) => a.id === id);
}

/** Names of every parameter flagged secret anywhere in the catalog. */
export function catalogSecretParameterNames(catalog: Catalog): Set<string> {
  return new Set(catalog.integrations.flatMap((i) => [...secretParameterNames(i)]));
}

const secretNamesCache = new WeakMap<IntegrationFixture, Set<string>>();

/** Names of the integration's parameters flagged secret, connection and auth alike (worked out once). */
export function secretParameterNames(integration: IntegrationFixture): Set<string> {
  let names = secretNamesCache.get(integration);
  if (!names) {
    names = new Set(
      [...integration.parameters, ...integration.authMethods.flatMap((m) => m.parameters)]
        .filter((p) => p.secret)
        .map((p) => p.name),
    );
    secretNamesCache.set(integration, names);
  }
  return names;
}
