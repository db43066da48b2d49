import type { ServiceDeps } from '../../deps.js';
import { findTenantIntegration } from '../catalog/integrations.js';
import type { IntegrationFixture } from '../../catalog/types.js';
import type { BindingRecord, ParticipantChannel, ParticipantRecord } from '../../store/types.js';

// What is computed from a participant's channels when it is read, never stored: its health (rule
// participant-health-computed) and its per-binding webhook activations (rule channel-activations-per-binding).

export type ChannelReason = 'INVALID_FORMAT' | 'CHANNEL_DISABLED' | 'CONFIG_NOT_FOUND';
export type HealthReason = ChannelReason | 'NO_CHANNEL';
export type KeyStatus = 'UNSPECIFIED' | 'ACTIVE' | 'MISSING';

/** Where per-binding webhook URLs point. The mock receives no webhooks, so it names the real API's host. */
export const WEBHOOK_BASE_URL = 'https://api.fruxon.com/v1/webhooks';

/** The order in which a participant-level reason is picked from its channels' reasons: most actionable first. */
const REASON_PRECEDENCE: readonly ChannelReason[] = ['INVALID_FORMAT', 'CONFIG_NOT_FOUND', 'CHANNEL_DISABLED'];

export type ChannelActivation = {
  agentId: string;
  bindingId: string;
  integrationConfigId: string;
  provider: string;
  address: string;
  webhookUrl: null;
  webhookUrlTemplate: string;
  webhookKeyPrefix: string;
  scope: 'PER_BINDING';
};

/** The integration behind a channel, or undefined when its config no longer exists in the tenant. */
function integrationOf(deps: ServiceDeps, tenant: string, channel: ParticipantChannel): IntegrationFixture | undefined {
  const config = channel.integrationConfigId === null ? undefined : deps.store.findTenantConfig(tenant, channel.integrationConfigId);
  return config ? findTenantIntegration(deps, tenant, config.integrationId) : undefined;
}

const compiled = new Map<string, RegExp>();

/**
 * Whether the address fits the integration's `addressFormat`; an integration without one takes any non-empty
 * address. The patterns run on V8's backtracking engine: the shipped ones are written so that no input makes
 * them backtrack more than linearly (bench/address-formats.ts times them on crafted 4,000-character addresses).
 */
export function fitsAddressFormat(integration: IntegrationFixture, address: string): boolean {
  if (!integration.addressFormat) return address.length > 0;
  const { pattern } = integration.addressFormat;
  let regex = compiled.get(pattern);
  if (!regex) compiled.set(pattern, (regex = new RegExp(pattern)));
  return regex.test(address);
}

/** Per-channel reachability, and `reachable` when at least one enabled channel has a valid address. */
export function computeHealth(deps: ServiceDeps, participant: ParticipantRecord, bindings: BindingRecord[]) {
  const channels = participant.channels.map((channel) => {
    const integration = integrationOf(deps, participant.tenant, channel);
    const reason: ChannelReason | null = !integration
      ? 'CONFIG_NOT_FOUND'
      : !fitsAddressFormat(integration, channel.address)
        ? 'INVALID_FORMAT'
        : channel.disabled
          ? 'CHANNEL_DISABLED'
          : null;
    return { address: channel.address, reason, ...webhookKey(deps, integration, channel, bindings), lastMessageAt: null };
  });
  const reachable = channels.some((c) => c.reason === null);
  const reason: HealthReason | null = reachable
    ? null
    : channels.length === 0
      ? 'NO_CHANNEL'
      : REASON_PRECEDENCE.find((r) => channels.some((c) => c.reason === r))!;
  return { reachable, channels, reason };
}

function webhookKey(
  deps: ServiceDeps,
  integration: IntegrationFixture | undefined,
  channel: ParticipantChannel,
  bindings: BindingRecord[],
): { keyStatus: KeyStatus; keyPrefix: string | null } {
  switch (integration?.webhookOwnership) {
    case 'PER_BINDING': {
      const first = bindings[0];
      return first
        ? { keyStatus: 'ACTIVE', keyPrefix: webhookKeyPrefix(deps, first, channel) }
        : { keyStatus: 'MISSING', keyPrefix: null };
    }
    case 'PER_CREDENTIAL':
      // The key would be minted on the config; configs in the mock carry none.
      return { keyStatus: 'MISSING', keyPrefix: null };
    default:
      return { keyStatus: 'UNSPECIFIED', keyPrefix: null };
  }
}

/** A stable prefix for the (binding, channel) pair: the same pair always gets the same prefix. */
function webhookKeyPrefix(deps: ServiceDeps, binding: BindingRecord, channel: ParticipantChannel): string {
  const digest = deps.generator.uuid(`${binding.id}:${channel.integrationConfigId}:${channel.address}`, 'webhook-key');
  return `whk_${digest.replace(/-/g, '').slice(0, 12)}`;
}

/** One activation per (binding, channel) whose integration owns its webhooks per binding. */
export function channelActivations(
  deps: ServiceDeps,
  participant: ParticipantRecord,
  bindings: BindingRecord[],
): ChannelActivation[] {
  const perBinding = participant.channels.flatMap((channel) => {
    const integration = integrationOf(deps, participant.tenant, channel);
    return integration?.webhookOwnership === 'PER_BINDING' && channel.integrationConfigId !== null
      ? [{ channel, integration, integrationConfigId: channel.integrationConfigId }]
      : [];
  });
  return bindings.flatMap((binding) =>
    perBinding.map(({ channel, integration, integrationConfigId }) => ({
      agentId: binding.agentId,
      bindingId: binding.id,
      integrationConfigId,
      provider: integration.provider,
      address: channel.address,
      // Reads never show the full secret URL.
      webhookUrl: null,
      webhookUrlTemplate: `${WEBHOOK_BASE_URL}/${integration.provider}/{webhookKey}`,
      webhookKeyPrefix: webhookKeyPrefix(deps, binding, channel),
      scope: 'PER_BINDING' as const,
    })),
  );
}
