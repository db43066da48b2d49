import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness } from './helpers.js';
import { P, configOf, createParticipant } from './participant-helpers.js';

// The participant rules of issue 12: what a client sends, what it gets back, and what is stored after a failure.

describe('participants: no stricter than the docs', () => {
  it('channel-config-optional: a channel may omit integrationConfigId or send null, and reads return null', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, {
      displayName: 'Ada',
      agentIds: ['support_bot'],
      channels: [{ address: 'ada@example.com' }, { integrationConfigId: null, address: '+14155550123', priority: 1 }],
    });
    expect(created.channels).toEqual([
      { integrationConfigId: null, address: 'ada@example.com', priority: 0, label: null, disabled: false },
      { integrationConfigId: null, address: '+14155550123', priority: 1, label: null, disabled: false },
    ]);
    expect(created.health).toMatchObject({ reachable: false, reason: 'CONFIG_NOT_FOUND' });
    expect(created.channelActivations).toEqual([]);
    expect((await h.api.get(`${P}/${created.id}`)).body).toEqual(created);
  });

  it('orphaned-channel-round-trips: a channel whose config was deleted is readable and can be sent back unchanged', async () => {
    const h = await makeHarness();
    const twilio = await configOf(h, 'twilio');
    const created = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: twilio, address: '+14155550123' }] });
    expect((await h.api.delete(`${configsPath('twilio')}/${twilio}`)).status).toBe(204);
    const read = (await h.api.get(`${P}/${created.id}`)).body;
    expect(read.channels[0].integrationConfigId).toBe(twilio);
    expect(read.health.channels[0].reason).toBe('CONFIG_NOT_FOUND');
    const res = await h.api.patch(`${P}/${created.id}`, { displayName: 'Ada L.', channels: read.channels });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Ada L.', channels: read.channels });
    // A config id the participant does not already hold must still be one of the tenant's.
    const before = h.store.snapshot();
    const other = '11111111-1111-4111-8111-111111111111';
    const bad = await h.api.patch(`${P}/${created.id}`, { channels: [...read.channels, { integrationConfigId: other, address: 'x' }] });
    expect(expectProblem(bad, 400, 'INVALID_REFERENCE').errors).toHaveProperty(['channels[1].integrationConfigId']);
    expect(h.store.snapshot()).toEqual(before);
  });

  it('participant-patch-semantics: takes arrays, ids and labels of any size the docs do not limit', async () => {
    const h = await makeHarness();
    const config = await configOf(h, 'email');
    const channels = Array.from({ length: 120 }, (_, i) => ({ integrationConfigId: config, address: `p${i}@example.com`, label: 'L'.repeat(500) }));
    const created = await createParticipant(h, { displayName: 'Many', channels, avatarFileId: 'f'.repeat(2000) });
    expect(created.channels).toHaveLength(120);
    const roster = await h.api.patch(`${P}/${created.id}/bindings/support_bot/roster`, {});
    expectProblem(roster, 404, 'NOT_FOUND');
    await h.api.put(`${P}/${created.id}/bindings/support_bot`);
    const roles = Array.from({ length: 80 }, (_, i) => `role-${i}`);
    const res = await h.api.patch(`${P}/${created.id}/bindings/support_bot/roster`, { roles: [...roles, ''], defaultForRoles: [''] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.roles).toHaveLength(81);
  });

  it('lengths-count-utf16: PATCH takes an empty displayName (the PATCH page shows only length <= 150), create does not', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'Ada' });
    expectProblem(await h.api.post(P, { displayName: '' }), 400, 'VALIDATION_FAILED');
    const res = await h.api.patch(`${P}/${created.id}`, { displayName: '' });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('');
  });

  it('ids-case-insensitive: a participant answers to its upper-case id, on every participant route', async () => {
    const h = await makeHarness();
    const config = await configOf(h, 'twilio');
    const created = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: config.toUpperCase(), address: '+14155550123' }] });
    expect(created.channels[0]!.integrationConfigId).toBe(config);
    const upper = `${P}/${created.id.toUpperCase()}`;
    expect((await h.api.get(upper)).body.id).toBe(created.id);
    expect((await h.api.patch(upper, { email: 'a@b.co' })).body.email).toBe('a@b.co');
    expect((await h.api.post(`${upper}:disable`)).body.disabledAt).not.toBeNull();
    expect((await h.api.post(`${upper}:enable`)).body.disabledAt).toBeNull();
    expect((await h.api.put(`${upper}/bindings/support_bot`)).body.participantId).toBe(created.id);
    expect((await h.api.patch(`${upper}/bindings/support_bot/roster`, { roles: ['a'] })).body.participantId).toBe(created.id);
    expect((await h.api.delete(`${upper}/bindings/support_bot`)).status).toBe(204);
    expect((await h.api.delete(upper)).status).toBe(204);
    expectProblem(await h.api.get(`${P}/${created.id}`), 404);
  });
});

describe('participants: decisions where the docs are silent', () => {
  it('participant-kind-defaults-to-person: an omitted or UNSPECIFIED kind reads back as PERSON', async () => {
    const h = await makeHarness();
    expect((await createParticipant(h, { displayName: 'A' })).kind).toBe('PERSON');
    expect((await createParticipant(h, { displayName: 'B', kind: 'UNSPECIFIED' })).kind).toBe('PERSON');
    expect((await createParticipant(h, { displayName: 'C', kind: 'GROUP' })).kind).toBe('GROUP');
  });

  it('avatar-source-values: UPLOADED for an operator avatar, AGENT for the backing agent\'s, null for none', async () => {
    const h = await makeHarness();
    expect((await createParticipant(h, { displayName: 'A', avatarFileId: 'files/a.png' })).avatarSource).toBe('UPLOADED');
    expect((await createParticipant(h, { displayName: 'B', kind: 'AI_AGENT', relatedAgentId: 'support_bot' })).avatarSource).toBe('AGENT');
    expect((await createParticipant(h, { displayName: 'C' })).avatarSource).toBeNull();
  });

  it('key-status-values: UNSPECIFIED without webhooks, MISSING before a binding, ACTIVE with one', async () => {
    const h = await makeHarness();
    const email = await configOf(h, 'email');
    const twilio = await configOf(h, 'twilio');
    const created = await createParticipant(h, {
      displayName: 'Ada',
      channels: [{ integrationConfigId: email, address: 'ada@example.com' }, { integrationConfigId: twilio, address: '+14155550123' }],
    });
    expect(created.health.channels.map((c) => [c.keyStatus, c.keyPrefix])).toEqual([['UNSPECIFIED', null], ['MISSING', null]]);
    await h.api.put(`${P}/${created.id}/bindings/support_bot`);
    const bound = (await h.api.get(`${P}/${created.id}`)).body;
    expect(bound.health.channels[1]).toMatchObject({ keyStatus: 'ACTIVE', keyPrefix: expect.stringMatching(/^whk_[0-9a-f]{12}$/) });
  });

  it('activation-webhook-template: the template names the provider and the prefix is stable across reads', async () => {
    const h = await makeHarness();
    const twilio = await configOf(h, 'twilio');
    const created = await createParticipant(h, { displayName: 'Ada', agentIds: ['support_bot'], channels: [{ integrationConfigId: twilio, address: '+14155550123' }] });
    expect(created.channelActivations).toEqual([
      expect.objectContaining({ webhookUrl: null, webhookUrlTemplate: 'https://api.fruxon.com/v1/webhooks/twilio/{webhookKey}', scope: 'PER_BINDING' }),
    ]);
    expect((await h.api.get(`${P}/${created.id}`)).body.channelActivations).toEqual(created.channelActivations);
  });

  it('participant-list-unpaged: the list is a bare array, whatever paging names a client sends', async () => {
    const h = await makeHarness();
    for (const name of ['A', 'B', 'C']) await createParticipant(h, { displayName: name });
    const res = await h.api.get(`${P}?PageSize=1&page_size=1`);
    expect(res.body.map((p: { displayName: string }) => p.displayName)).toEqual(['A', 'B', 'C']);
  });

  it('max-urgency-values: takes every documented maxUrgency and rejects another, changing nothing', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'A', agentIds: ['support_bot'] });
    const roster = `${P}/${created.id}/bindings/support_bot/roster`;
    for (const level of ['LOW', 'NORMAL', 'HIGH', 'EMERGENCY']) expect((await h.api.patch(roster, { maxUrgency: level })).body.maxUrgency).toBe(level);
    expect((await h.api.patch(roster, { maxUrgency: 'UNSPECIFIED' })).body.maxUrgency).toBe('EMERGENCY');
    const before = h.store.snapshot();
    expectProblem(await h.api.patch(roster, { maxUrgency: 'URGENT' }), 400, 'VALIDATION_FAILED');
    expect(h.store.snapshot()).toEqual(before);
  });
});
