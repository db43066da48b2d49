/**
 * What each provider's API lets Fruxon do for a config, as the docs name them: a webhook registration API
 * (Telegram `setWebhook`), a webhook inspector (Telegram `getWebhookInfo`) and a bot identity lookup
 * (Telegram `getMe`, Slack `auth.test`). Keyed by the integration's `provider`; a provider not listed has none.
 */
export type ProviderApi = { registersWebhooks: boolean; inspectsWebhooks: boolean; resolvesIdentity: boolean };

const NONE: ProviderApi = { registersWebhooks: false, inspectsWebhooks: false, resolvesIdentity: false };

const PROVIDER_APIS: Record<string, ProviderApi> = {
  telegram: { registersWebhooks: true, inspectsWebhooks: true, resolvesIdentity: true },
  slack: { registersWebhooks: false, inspectsWebhooks: false, resolvesIdentity: true },
};

export function providerApi(provider: string): ProviderApi {
  return Object.hasOwn(PROVIDER_APIS, provider) ? PROVIDER_APIS[provider]! : NONE;
}
