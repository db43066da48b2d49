import { describe, expect, it } from 'vitest';
import { configsPath, makeHarness, type Harness } from './helpers.js';
import { P, configOf, createParticipant } from './participant-helpers.js';

const channel = (integrationConfigId: string, address: string, extra: Record<string, unknown> = {}) => ({
  integrationConfigId,
  address,
  ...extra,
});

describe('participant-health-computed', () => {
  it.each([
    ['slack', 'C0123456789', null],
    ['slack', '#general', 'INVALID_FORMAT'],
    ['telegram', '123456789', null],
    ['telegram', '-1001234567890', null],
    ['telegram', '@ada', 'INVALID_FORMAT'],
    ['twilio', '+14155550123', null],
    ['twilio', '4155550123', 'INVALID_FORMAT'],
    ['email', 'ada@example.com', null],
    ['email', 'ada.example.com', 'INVALID_FORMAT'],
    ['github', 'octocat', null],
    ['github', '', 'INVALID_FORMAT'],
  ])('a %s channel at %j has reason %s', async (integration, address, reason) => {
    const h = await makeHarness();
    const config = await configOf(h, integration);
    const created = await createParticipant(h, { displayName: 'x', channels: [channel(config, address)] });
    expect(created.health.channels).toEqual([expect.objectContaining({ address, reason, lastMessageAt: null })]);
    expect(created.health.reachable).toBe(reason === null);
    expect(created.health.reason).toBe(reason);
  });

  it.each([
    ['no channels', [], false, 'NO_CHANNEL'],
    ['one valid enabled channel among invalid ones', [['#nope', false], ['C0123456789', false]], true, null],
    ['a valid channel that is disabled', [['C0123456789', true]], false, 'CHANNEL_DISABLED'],
    ['a valid disabled and an invalid enabled channel', [['C0123456789', true], ['#nope', false]], false, 'INVALID_FORMAT'],
    ['an invalid channel that is also disabled', [['#nope', true]], false, 'INVALID_FORMAT'],
  ] as const)('health-reason-values: with %s, reachable is %s and reason %s', async (_name, specs, reachable, reason) => {
    const h = await makeHarness();
    const slack = await configOf(h, 'slack');
    const channels = specs.map(([address, disabled]) => channel(slack, address, { disabled }));
    const created = await createParticipant(h, { displayName: 'x', channels });
    expect(created.health).toMatchObject({ reachable, reason });
    expect(created.health.channels).toHaveLength(specs.length);
  });

  it('is computed when read: deleting the config makes the channel CONFIG_NOT_FOUND', async () => {
    const h = await makeHarness();
    const slack = await configOf(h, 'slack');
    const created = await createParticipant(h, { displayName: 'x', channels: [channel(slack, 'C0123456789')] });
    expect(created.health.reachable).toBe(true);
    expect((await h.api.delete(`${configsPath('slack')}/${slack}`)).status).toBe(204);
    const read = await h.api.get(`${P}/${created.id}`);
    expect(read.body.health).toEqual({
      reachable: false,
      channels: [{ address: 'C0123456789', reason: 'CONFIG_NOT_FOUND', keyStatus: 'UNSPECIFIED', keyPrefix: null, lastMessageAt: null }],
      reason: 'CONFIG_NOT_FOUND',
    });
  });

  it('follows a PATCH of the channels, and is never stored', async () => {
    const h = await makeHarness();
    const slack = await configOf(h, 'slack');
    const created = await createParticipant(h, { displayName: 'x', channels: [channel(slack, '#nope')] });
    const patched = await h.api.patch(`${P}/${created.id}`, { channels: [channel(slack, 'C0123456789')] });
    expect(patched.body.health).toMatchObject({ reachable: true, reason: null });
    const stored = h.store.snapshot().participants[created.id]!;
    expect(stored).not.toHaveProperty('health');
    expect(stored).not.toHaveProperty('channelActivations');
    expect(stored).not.toHaveProperty('agentIds');
  });

  it.each([
    ['email', 'ada@example.com', [], 'UNSPECIFIED', false],
    ['slack', 'C0123456789', ['support_bot'], 'MISSING', false],
    ['twilio', '+14155550123', [], 'MISSING', false],
    ['twilio', '+14155550123', ['support_bot'], 'ACTIVE', true],
  ])('keyStatus of a %s channel with bindings %j is %s', async (integration, address, agentIds, keyStatus, hasPrefix) => {
    const h = await makeHarness();
    const config = await configOf(h, integration);
    const created = await createParticipant(h, { displayName: 'x', channels: [channel(config, address)], agentIds });
    const entry = created.health.channels[0]!;
    expect(entry.keyStatus).toBe(keyStatus);
    expect(entry.keyPrefix).toBe(hasPrefix ? created.channelActivations[0]!.webhookKeyPrefix : null);
  });
});

describe('channel-activations-per-binding', () => {
  async function twilioParticipant(h: Harness) {
    const twilio = await configOf(h, 'twilio');
    const slack = await configOf(h, 'slack');
    const created = await createParticipant(h, {
      displayName: 'x',
      channels: [channel(twilio, '+14155550123'), channel(slack, 'C0123456789'), channel(twilio, '+14155550124', { disabled: true })],
      agentIds: ['support_bot', 'triage_agent'],
    });
    return { twilio, created, path: `${P}/${created.id}` };
  }

  it('has one activation per (binding, per-binding channel), none for other integrations', async () => {
    const h = await makeHarness();
    const { twilio, created } = await twilioParticipant(h);
    const pairs = created.channelActivations.map((a) => `${a.agentId} ${a.address}`);
    expect(pairs).toEqual([
      'support_bot +14155550123',
      'support_bot +14155550124',
      'triage_agent +14155550123',
      'triage_agent +14155550124',
    ]);
    for (const activation of created.channelActivations) {
      expect(activation).toEqual({
        agentId: expect.any(String),
        bindingId: expect.any(String),
        integrationConfigId: twilio,
        provider: 'twilio',
        address: expect.any(String),
        webhookUrl: null,
        webhookUrlTemplate: 'https://api.fruxon.com/v1/webhooks/twilio/{webhookKey}',
        webhookKeyPrefix: expect.stringMatching(/^whk_[0-9a-f]{12}$/),
        scope: 'PER_BINDING',
      });
    }
    expect(new Set(created.channelActivations.map((a) => a.webhookKeyPrefix)).size).toBe(4);
  });

  it('is stable across reads and across PATCHes that keep the channel', async () => {
    const h = await makeHarness();
    const { created, path } = await twilioParticipant(h);
    expect((await h.api.get(path)).body.channelActivations).toEqual(created.channelActivations);
    expect((await h.api.get(P)).body[0].channelActivations).toEqual(created.channelActivations);
    const patched = await h.api.patch(path, { displayName: 'renamed', channels: created.channels });
    expect(patched.body.channelActivations).toEqual(created.channelActivations);
  });

  it('follows the bindings: PUT answers its own activations, DELETE takes them away', async () => {
    const h = await makeHarness();
    const { created, path } = await twilioParticipant(h);
    const bound = await h.api.put(`${path}/bindings/digest_writer`);
    expect(bound.body.channelActivations.map((a: { agentId: string; bindingId: string }) => [a.agentId, a.bindingId])).toEqual([
      ['digest_writer', bound.body.id],
      ['digest_writer', bound.body.id],
    ]);
    expect((await h.api.get(path)).body.channelActivations).toHaveLength(6);
    await h.api.delete(`${path}/bindings/support_bot`);
    const after = (await h.api.get(path)).body.channelActivations as { agentId: string }[];
    expect(after.map((a) => a.agentId)).toEqual(['triage_agent', 'triage_agent', 'digest_writer', 'digest_writer']);
    expect(after.slice(0, 2)).toEqual(created.channelActivations.slice(2));
  });

  it('never shows a full webhook URL in any read', async () => {
    const h = await makeHarness();
    const { path } = await twilioParticipant(h);
    const responses = [await h.api.get(path), await h.api.get(P), await h.api.put(`${path}/bindings/support_bot`), await h.api.post(`${path}:disable`)];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/"webhookUrl":"/);
      expect(res.text).not.toMatch(/\/webhooks\/twilio\/whk_/);
    }
  });
});

describe('ai-agent-avatar-fallback', () => {
  it.each([
    ['an AI_AGENT without an avatar shows its agent\'s', { kind: 'AI_AGENT', relatedAgentId: 'support_bot' }, 'files/avatars/support-bot.png', 'AGENT'],
    ['an AI_AGENT with its own avatar keeps it', { kind: 'AI_AGENT', relatedAgentId: 'support_bot', avatarFileId: 'files/mine.png' }, 'files/mine.png', 'UPLOADED'],
    ['an AI_AGENT whose agent has no avatar has none', { kind: 'AI_AGENT', relatedAgentId: 'digest_writer' }, null, null],
    ['an AI_AGENT without a backing agent has none', { kind: 'AI_AGENT' }, null, null],
    ['a PERSON never borrows an agent avatar', { kind: 'PERSON', relatedAgentId: 'support_bot' }, null, null],
    ['an empty avatarFileId on create is no avatar', { kind: 'AI_AGENT', relatedAgentId: 'triage_agent', avatarFileId: '' }, 'files/avatars/triage.png', 'AGENT'],
  ])('%s', async (_name, body, avatarFileId, avatarSource) => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'x', ...body });
    expect(created).toMatchObject({ avatarFileId, avatarSource });
    expect((await h.api.get(`${P}/${created.id}`)).body).toMatchObject({ avatarFileId, avatarSource });
  });

  it('is looked up on every read and never stored, so a change of the agent\'s avatar shows through', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'Bot', kind: 'AI_AGENT', relatedAgentId: 'support_bot' });
    expect(h.store.snapshot().participants[created.id]!.avatarFileId).toBeNull();
    h.catalog.agents.find((a) => a.id === 'support_bot')!.avatarFileId = 'files/avatars/support-bot-v2.png';
    expect((await h.api.get(`${P}/${created.id}`)).body.avatarFileId).toBe('files/avatars/support-bot-v2.png');
    expect((await h.api.get(P)).body[0].avatarFileId).toBe('files/avatars/support-bot-v2.png');
  });

  it('falls back again once the own avatar is cleared with ""', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'Bot', kind: 'AI_AGENT', relatedAgentId: 'support_bot', avatarFileId: 'files/mine.png' });
    const cleared = await h.api.patch(`${P}/${created.id}`, { avatarFileId: '' });
    expect(cleared.body).toMatchObject({ avatarFileId: 'files/avatars/support-bot.png', avatarSource: 'AGENT' });
  });
});
