import { describe, expect, it } from 'vitest';
import { expectProblem, makeHarness, type Harness } from './helpers.js';
import { messagingConfig } from './messaging-helpers.js';
import { NEVER_ISSUED, P, createParticipant } from './participant-helpers.js';

const sync = (h: Harness, id: string, body: Record<string, unknown>) => h.api.post(`${P}/${id}/avatar:syncFromChannel`, body);

/** A participant with a Slack user channel, a Slack channel channel and a Telegram channel. */
async function setUp(options: { slackAuth?: boolean } = {}) {
  const h = await makeHarness();
  const slack = await messagingConfig(h, 'slack', { auth: options.slackAuth ?? true });
  const telegram = await messagingConfig(h, 'telegram');
  const p = await createParticipant(h, {
    displayName: 'Ada',
    channels: [
      { integrationConfigId: slack, address: 'U0123456789' },
      { integrationConfigId: slack, address: 'C0123456789' },
      { integrationConfigId: telegram, address: '123456789' },
    ],
  });
  return { h, slack, telegram, p };
}

describe('avatar:syncFromChannel', () => {
  it('avatar-sync-sets-file-id: a Slack user channel sets avatarFileId and the CHANNEL source fields', async () => {
    const { h, slack, p } = await setUp();
    const res = await sync(h, p.id, { integrationConfigId: slack, address: 'U0123456789' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id: p.id,
      avatarFileId: expect.stringMatching(/^files\/avatars\/slack\/[a-z0-9]{16}\.png$/),
      avatarSource: 'CHANNEL',
      avatarSourceConfigId: slack,
      avatarSourceAddress: 'U0123456789',
      avatarSyncedAt: expect.any(Number),
    });
    expect((await h.api.get(`${P}/${p.id}`)).body).toMatchObject({ avatarFileId: res.body.avatarFileId, avatarSource: 'CHANNEL' });
    // The same channel gives the same file id (seeded).
    expect((await sync(h, p.id, { integrationConfigId: slack.toUpperCase(), address: 'U0123456789' })).body.avatarFileId).toBe(res.body.avatarFileId);
  });

  it('avatar-sync-sets-file-id: an avatar the operator sets afterwards is UPLOADED again', async () => {
    const { h, slack, p } = await setUp();
    await sync(h, p.id, { integrationConfigId: slack, address: 'U0123456789' });
    const patched = await h.api.patch(`${P}/${p.id}`, { avatarFileId: 'files/mine.png' });
    expect(patched.body).toMatchObject({ avatarFileId: 'files/mine.png', avatarSource: 'UPLOADED', avatarSourceConfigId: null, avatarSyncedAt: null });
  });

  describe('avatar-sync-400-reasons', () => {
    it('avatar-sync-400-reasons: a channel that is not on the participant is a 400', async () => {
      const { h, slack, p } = await setUp();
      expectProblem(await sync(h, p.id, { integrationConfigId: slack, address: 'U9999999999' }), 400, 'CHANNEL_NOT_ON_PARTICIPANT');
      expectProblem(await sync(h, p.id, { integrationConfigId: NEVER_ISSUED, address: 'U0123456789' }), 400, 'CHANNEL_NOT_ON_PARTICIPANT');
    });

    it('avatar-sync-400-reasons: a provider without an avatar source (Telegram) is a 400', async () => {
      const { h, telegram, p } = await setUp();
      expectProblem(await sync(h, p.id, { integrationConfigId: telegram, address: '123456789' }), 400, 'NO_AVATAR_SOURCE');
    });

    it('avatar-sync-400-reasons: credentials that are not connected are a 400', async () => {
      const { h, slack, p } = await setUp({ slackAuth: false });
      expectProblem(await sync(h, p.id, { integrationConfigId: slack, address: 'U0123456789' }), 400, 'PROVIDER_NOT_CONNECTED');
    });

    it('avatar-sync-400-reasons: an address the provider has no image for (a channel) is a 400', async () => {
      const { h, slack, p } = await setUp();
      expectProblem(await sync(h, p.id, { integrationConfigId: slack, address: 'C0123456789' }), 400, 'NO_AVATAR_IMAGE');
    });

    it('avatar-sync-400-reasons: a failed sync changes nothing', async () => {
      const { h, slack, telegram, p } = await setUp({ slackAuth: false });
      const before = JSON.stringify(h.store.snapshot());
      await sync(h, p.id, { integrationConfigId: slack, address: 'U0123456789' });
      await sync(h, p.id, { integrationConfigId: telegram, address: '123456789' });
      expect(JSON.stringify(h.store.snapshot())).toBe(before);
    });
  });

  it('avatar-sync-simulated-slack: user ids (U, W) have an image; a bot token or a completed OAuth counts as connected', async () => {
    const h = await makeHarness();
    const oauth = (await h.api.post('/integrations/slack/configs', { displayName: 'oauth', auth: { integrationAuthMetadataId: 'oauth2' } })).body.id as string;
    const p = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: oauth, address: 'W0123456789' }] });
    expectProblem(await sync(h, p.id, { integrationConfigId: oauth, address: 'W0123456789' }), 400, 'PROVIDER_NOT_CONNECTED');
    const key = await h.mintKey('acme', 'slack');
    expect((await h.api.post('/integrations/slack:consumeOAuthCredentials', { credentialKey: key, integrationConfigId: oauth })).status).toBe(204);
    expect((await sync(h, p.id, { integrationConfigId: oauth, address: 'W0123456789' })).status).toBe(200);
  });

  it('avatar-sync-body: an unknown participant is a 404; a missing or empty field a 400', async () => {
    const { h, slack, p } = await setUp();
    expectProblem(await sync(h, NEVER_ISSUED, { integrationConfigId: slack, address: 'U0123456789' }), 404);
    expectProblem(await sync(h, p.id, { integrationConfigId: slack }), 400);
    expectProblem(await sync(h, p.id, { integrationConfigId: slack, address: '' }), 400);
    expectProblem(await sync(h, p.id, { integrationConfigId: 'nope', address: 'U0123456789' }), 400);
  });
});
