import type { ServiceDeps } from '../../deps.js';
import { problem } from '../../http/problems.js';
import { guidKey } from '../../store/store.js';
import type { ParticipantRecord } from '../../store/types.js';
import { findTenantIntegration } from '../catalog/integrations.js';
import { verifyOne } from '../configs/service.js';
import { participantOr404 } from '../participants/service.js';

export type AvatarSyncBody = { integrationConfigId: string; address: string };

/** Providers with an avatar source: "Slack today". */
const AVATAR_SOURCES = new Set(['slack']);

/**
 * `avatar:syncFromChannel`, rule avatar-sync-400-reasons in the page's order: the channel must be on the
 * participant, the provider must have an avatar source, its credentials must be connected, and it must have an
 * image for the address. Then rule avatar-sync-sets-file-id.
 */
export async function syncAvatarFromChannel(
  deps: ServiceDeps,
  scope: { tenant: string; baseUrl: string },
  id: string,
  body: AvatarSyncBody,
): Promise<ParticipantRecord> {
  const participant = participantOr404(deps, scope.tenant, id);
  const configId = guidKey(body.integrationConfigId);
  if (!participant.channels.some((c) => c.integrationConfigId === configId && c.address === body.address)) {
    throw problem('channelNotOnParticipant', `Participant '${participant.id}' has no channel '${body.address}' on config '${configId}'.`);
  }
  const config = deps.store.findTenantConfig(scope.tenant, configId);
  const integration = config && findTenantIntegration(deps, scope.tenant, config.integrationId);
  if (!config || !integration || !AVATAR_SOURCES.has(integration.provider)) {
    throw problem('noAvatarSource', `${integration?.displayName ?? 'The channel\'s integration'} has no avatar source registered.`);
  }
  // Rule avatar-sync-simulated-slack: "connected" is what :verifyAuth would report for the draft's credentials.
  const connected = config.auth !== null && verifyOne(integration, config.auth, { ...scope, configId: config.id }).success;
  if (!connected) {
    throw problem('providerNotConnected', `Config '${config.id}' has no connected ${integration.displayName} credentials; connect OAuth first.`);
  }
  if (!/^[UW]/.test(body.address)) {
    throw problem('noAvatarImage', `${integration.displayName} has no image for '${body.address}' (channels and groups have none).`);
  }
  return deps.store.mutate(() => {
    const now = deps.clock();
    const faker = deps.generator.fakerFor(`${config.id}:${body.address}`, 'avatar');
    const next: ParticipantRecord = {
      ...participant,
      avatarFileId: `files/avatars/${integration.provider}/${faker.string.alphanumeric({ length: 16, casing: 'lower' })}.png`,
      avatarSync: { integrationConfigId: config.id, address: body.address, provider: integration.provider, syncedAt: now },
      modifiedAt: now,
    };
    deps.store.putParticipant(next);
    return next;
  });
}
