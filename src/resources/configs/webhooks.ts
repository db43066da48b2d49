import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../../deps.js';
import type { IntegrationFixture } from '../../catalog/types.js';
import { fieldError, problem } from '../../http/problems.js';
import type { BotIdentity, ConfigRecord, WebhookKeyRecord } from '../../store/types.js';
import { tenantIntegrationOr404 } from '../catalog/integrations.js';
import { providerApi } from './providers.js';
import { configOr404, verifyOne } from './service.js';

type Scope = { tenant: string; integrationId: string; baseUrl: string };

export type WebhookUrlResult = { webhookUrl: string; webhookKeyPrefix: string };

/** Where inbound webhooks for a config point: `<base>/v1/webhooks/{integrationId}/{webhookKey}`. */
export function webhookUrlFor(baseUrl: string, integrationId: string, key: string): string {
  return `${baseUrl}/v1/webhooks/${encodeURIComponent(integrationId)}/${key}`;
}

/** The digest a key is stored under; the key itself is never stored. */
export function webhookKeyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The config an inbound webhook URL's key belongs to, with its tenant, or undefined when the key is unknown,
 * revoked by a rotation, for another integration, or its config was deleted (rule webhook-rotate-revokes).
 */
export function findConfigByWebhookKey(
  deps: Pick<ServiceDeps, 'store'>,
  integrationId: string,
  webhookKey: string,
): { tenant: string; config: ConfigRecord } | undefined {
  const record = deps.store.findWebhookKey(webhookKeyDigest(webhookKey));
  if (!record || record.integrationId !== integrationId) return undefined;
  const config = deps.store.findConfig(record.tenant, record.integrationId, record.configId);
  return config && config.webhookKeyId === record.id ? { tenant: record.tenant, config } : undefined;
}

/** Rule webhook-generate-once: mints the config's first key and shows its URL this once. */
export async function generateWebhookUrl(deps: ServiceDeps, scope: Scope, id: string): Promise<WebhookUrlResult> {
  const { integration, config } = webhookTarget(deps, scope, id);
  if (config.webhookKeyId) {
    throw problem('webhookKeyBound', `Config '${config.id}' already has a webhook key; use /webhook:rotate to get a new URL.`);
  }
  return deps.store.mutate(() => mintKey(deps, scope, integration, config));
}

/** Rule webhook-rotate-revokes: a new key and URL; the previous key stops matching at once. */
export async function rotateWebhookKey(deps: ServiceDeps, scope: Scope, id: string): Promise<WebhookUrlResult> {
  const { integration, config } = webhookTarget(deps, scope, id);
  const previous = config.webhookKeyId;
  if (!previous) {
    throw problem('webhookKeyMissing', `Config '${config.id}' has no webhook key yet; use :generateWebhookUrl to mint the first one.`);
  }
  return deps.store.mutate(() => {
    deps.store.deleteWebhookKey(previous);
    return mintKey(deps, scope, integration, config);
  });
}

export type ApplyResult = { applied: boolean; providerResponse: string | null; errorMessage: string | null };

/**
 * Rule webhook-apply-to-provider: registers the URL with the provider's registration API (Telegram
 * `setWebhook`). The simulated provider refuses, as a 200 with `applied: false`, when the config's draft has
 * no working credentials (`Unauthorized`) or the URL is not an absolute http(s) URL.
 */
export async function applyWebhookToProvider(
  deps: ServiceDeps,
  scope: Scope,
  id: string,
  webhookUrl: string | null | undefined,
): Promise<ApplyResult> {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, integration.id, id);
  if (!providerApi(integration.provider).registersWebhooks) {
    throw problem(
      'providerUnsupported',
      `${integration.displayName} has no webhook registration API; register the URL in the provider's own settings.`,
    );
  }
  if (!webhookUrl) {
    throw problem('validation', 'Send the webhook URL to register.', { errors: fieldError('webhookUrl', 'is required') });
  }
  if (!isConnected(integration, config, scope)) return telegramError(401, 'Unauthorized');
  if (!isHttpUrl(webhookUrl)) return telegramError(400, 'Bad Request: invalid webhook URL specified');
  await deps.store.mutate(() =>
    deps.store.putConfig({ ...config, providerWebhook: { webhookUrl, registeredAt: deps.clock() } }),
  );
  return { applied: true, providerResponse: '{"ok":true,"result":true,"description":"Webhook was set"}', errorMessage: null };
}

export type InspectResult = {
  inspectFailed: boolean;
  providerHasUrl: boolean;
  providerUrlMatchesExpected: boolean;
  providerReportedUrl: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: number | null;
  pendingUpdateCount: number;
  errorMessage: string | null;
};

/**
 * Rule webhook-inspect: what the provider has registered (Telegram `getWebhookInfo`): the URL the last
 * successful `:applyWebhookToProvider` gave it, compared with `expectedWebhookUrl` when one is sent.
 */
export function inspectWebhook(deps: ServiceDeps, scope: Scope, id: string, expected: string | null | undefined): InspectResult {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, integration.id, id);
  if (!providerApi(integration.provider).inspectsWebhooks) {
    throw problem('providerUnsupported', `${integration.displayName} has no webhook inspector.`);
  }
  const nothing = { lastErrorMessage: null, lastErrorAt: null, pendingUpdateCount: 0 };
  if (!isConnected(integration, config, scope)) {
    return { inspectFailed: true, providerHasUrl: false, providerUrlMatchesExpected: false, providerReportedUrl: null, ...nothing, errorMessage: 'Unauthorized' };
  }
  const reported = config.providerWebhook?.webhookUrl ?? null;
  return {
    inspectFailed: false,
    providerHasUrl: reported !== null,
    providerUrlMatchesExpected: reported !== null && typeof expected === 'string' && reported === expected,
    providerReportedUrl: reported,
    ...nothing,
    errorMessage: null,
  };
}

/**
 * Rule refresh-identity-persisted: asks the provider who the bot is and stores the answer on the config.
 * Always a 200: the stored identity (or null) when the credentials are not connected, null for providers
 * without an identity lookup. The identity is faked from the seed and the config id, so it is stable.
 */
export async function refreshIdentity(deps: ServiceDeps, scope: Scope, id: string): Promise<BotIdentity | null> {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, integration.id, id);
  if (!providerApi(integration.provider).resolvesIdentity) return null;
  if (!isConnected(integration, config, scope)) return config.botIdentity ?? null;
  const faker = deps.generator.fakerFor(config.id, 'bot-identity');
  const name = faker.word.noun({ length: { min: 4, max: 9 } }).toLowerCase();
  const identity: BotIdentity =
    integration.provider === 'telegram'
      ? {
          handle: `${name}_bot`,
          displayName: `${name[0]!.toUpperCase()}${name.slice(1)} Bot`,
          providerId: String(faker.number.int({ min: 1_000_000_000, max: 9_999_999_999 })),
          fetchedAt: 0,
        }
      : {
          handle: name,
          displayName: `${name[0]!.toUpperCase()}${name.slice(1)}`,
          providerId: `U${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`,
          fetchedAt: 0,
        };
  // The identity is not part of the draft: modifiedAt stays.
  return deps.store.mutate(() => {
    const fetched = { ...identity, fetchedAt: deps.clock() };
    deps.store.putConfig({ ...config, botIdentity: fetched });
    return fetched;
  });
}

/** The integration and config a per-config webhook key is minted for, or the documented 400s. */
function webhookTarget(deps: ServiceDeps, scope: Scope, id: string) {
  const integration = tenantIntegrationOr404(deps, scope.tenant, scope.integrationId);
  const config = configOr404(deps, scope.tenant, integration.id, id);
  if (integration.webhookOwnership === 'PER_BINDING') {
    throw problem(
      'webhookPerBinding',
      `${integration.displayName} owns its webhooks per binding: participant channels get their activations automatically.`,
    );
  }
  if (integration.webhookOwnership !== 'PER_CREDENTIAL') {
    throw problem('webhooksUnsupported', `${integration.displayName} receives no inbound webhooks.`);
  }
  return { integration, config };
}

/** Stores a new key's digest, stamps its id on the config and returns the URL. Call inside a mutation. */
function mintKey(deps: ServiceDeps, scope: Scope, integration: IntegrationFixture, config: ConfigRecord): WebhookUrlResult {
  const sequence = deps.store.nextSequence();
  const key = `whk_${deps.generator.fakerFor(sequence, 'webhook-key').string.alphanumeric(40)}`;
  const record: WebhookKeyRecord = {
    id: webhookKeyDigest(key),
    tenant: scope.tenant,
    integrationId: integration.id,
    configId: config.id,
    prefix: key.slice(0, 16),
    createdAt: deps.clock(),
  };
  deps.store.putWebhookKey(record);
  deps.store.putConfig({ ...config, webhookKeyId: record.id });
  return { webhookUrl: webhookUrlFor(scope.baseUrl, integration.id, key), webhookKeyPrefix: record.prefix };
}

/** Whether the provider would accept the draft's credentials (what `:verifyAuth` reports as success). */
function isConnected(integration: IntegrationFixture, config: ConfigRecord, scope: Scope): boolean {
  return config.auth !== null && verifyOne(integration, config.auth, { ...scope, configId: config.id }).success;
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'https:' || protocol === 'http:';
}

function telegramError(code: number, description: string): ApplyResult {
  return { applied: false, providerResponse: JSON.stringify({ ok: false, error_code: code, description }), errorMessage: description };
}
