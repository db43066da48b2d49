import type { IntegrationFixture } from '../../catalog/types.js';
import type { ServiceDeps } from '../../deps.js';
import { fieldError, problem } from '../../http/problems.js';
import type { ParticipantChannel } from '../../store/types.js';
import { findTenantIntegration } from '../catalog/integrations.js';
import { fitsAddressFormat } from '../participants/reach.js';
import { participantOr404 } from '../participants/service.js';
import { answerSend, type DispatchResult } from './provider.js';

export type SendBody = { message: string | null; providerOverride?: string | null };
export type DryRunSendBody = { integrationConfigId: string; address: string; message: string };

type Candidate = { channel: ParticipantChannel; integration: IntegrationFixture; integrationConfigId: string; index: number };

/**
 * `:send`: rule send-disabled-participant (DISABLED), then the channel selector (rules send-channel-order,
 * send-provider-override, send-skips-unusable-channels) and the simulated provider's answer. Nothing is stored.
 */
export function sendToParticipant(deps: ServiceDeps, tenant: string, id: string, body: SendBody): { outcome: DispatchResult['outcome'] } {
  const participant = participantOr404(deps, tenant, id);
  if (participant.disabledAt !== null) return { outcome: 'DISABLED' };
  const chosen = selectChannel(usableChannels(deps, tenant, participant.channels), body.providerOverride ?? null);
  if (!chosen) return { outcome: 'NO_CHANNEL' };
  const result = answerSend(deps, {
    tenant,
    integrationConfigId: chosen.integrationConfigId,
    provider: chosen.integration.provider,
    address: chosen.channel.address,
    message: body.message,
  });
  return { outcome: result.outcome };
}

/**
 * `:dryRunSend`: rule dry-run-address-format (400 with the format's hint), then a send through the config
 * with no participant, binding or audit row (rule dry-run-stores-nothing).
 */
export function dryRunSend(deps: ServiceDeps, tenant: string, body: DryRunSendBody): DispatchResult {
  const config = deps.store.findTenantConfig(tenant, body.integrationConfigId);
  const integration = config && findTenantIntegration(deps, tenant, config.integrationId);
  if (!config || !integration) {
    throw problem('invalidReference', `'${body.integrationConfigId}' is not an integration config of tenant '${tenant}'.`, {
      errors: fieldError('integrationConfigId', 'is not an integration config of this tenant'),
    });
  }
  if (!fitsAddressFormat(integration, body.address)) {
    const hint = integration.addressFormat?.hint ?? 'a non-empty address';
    throw problem('invalidAddress', `The address does not fit ${integration.displayName}: expected ${hint}.`, {
      errors: fieldError('address', `expected ${hint}`),
      hint,
    });
  }
  // Rule send-skips-unusable-channels: the provider is reached with the published credentials only.
  if (config.publishedRevisionId === null) {
    return {
      outcome: 'NO_CHANNEL',
      providerMessageId: null,
      errorCode: 'CONFIG_NOT_PUBLISHED',
      errorMessage: `Config '${config.id}' has no published revision; publish it before sending through it.`,
    };
  }
  return answerSend(deps, { tenant, integrationConfigId: config.id, provider: integration.provider, address: body.address, message: body.message });
}

/**
 * The channels a message can go out on: enabled, on a config of the tenant that is published, with an
 * address that fits the integration's format.
 */
function usableChannels(deps: ServiceDeps, tenant: string, channels: readonly ParticipantChannel[]): Candidate[] {
  return channels.flatMap((channel, index) => {
    if (channel.disabled || channel.integrationConfigId === null) return [];
    const config = deps.store.findTenantConfig(tenant, channel.integrationConfigId);
    if (!config || config.publishedRevisionId === null) return [];
    const integration = findTenantIntegration(deps, tenant, config.integrationId);
    if (!integration || !fitsAddressFormat(integration, channel.address)) return [];
    return [{ channel, integration, integrationConfigId: config.id, index }];
  });
}

/**
 * Rule send-channel-order: lowest `priority` first, list order among equals. Rule send-provider-override:
 * channels of the named provider go first; without one the normal order applies.
 */
function selectChannel(candidates: Candidate[], providerOverride: string | null): Candidate | undefined {
  const ordered = [...candidates].sort((a, b) => a.channel.priority - b.channel.priority || a.index - b.index);
  const wanted = providerOverride?.trim().toLowerCase();
  if (wanted) {
    const preferred = ordered.find((c) => c.integration.provider.toLowerCase() === wanted || c.integration.id.toLowerCase() === wanted);
    if (preferred) return preferred;
  }
  return ordered[0];
}
