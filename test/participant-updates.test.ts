import { describe, expect, it } from 'vitest';
import { expectProblem, makeHarness, type Harness } from './helpers.js';
import { P, configOf, createParticipant } from './participant-helpers.js';

async function seeded(h: Harness) {
  const twilio = await configOf(h, 'twilio');
  const email = await configOf(h, 'email');
  const created = await createParticipant(h, {
    kind: 'PERSON',
    displayName: 'Ada',
    email: 'ada@example.com',
    relatedAgentId: 'support_bot',
    avatarFileId: 'files/ada.png',
    channels: [{ integrationConfigId: twilio, address: '+14155550123' }],
    agentIds: ['support_bot', 'triage_agent'],
  });
  return { twilio, email, created, path: `${P}/${created.id}` };
}

describe('participant-patch-semantics', () => {
  it('keeps every field sent as null or left out, and only moves modifiedAt', async () => {
    const h = await makeHarness();
    const { created, path } = await seeded(h);
    const nulls = { displayName: null, email: null, relatedAgentId: null, avatarFileId: null, channels: null, agentIds: null };
    for (const body of [{}, nulls]) {
      const res = await h.api.patch(path, body);
      expect(res.status).toBe(200);
      expect({ ...res.body, modifiedAt: 0 }).toEqual({ ...created, modifiedAt: 0 });
      expect(res.body.modifiedAt).toBeGreaterThan(created.modifiedAt as number);
    }
  });

  it('writes the fields it is given', async () => {
    const h = await makeHarness();
    const { path, created } = await seeded(h);
    const res = await h.api.patch(path, { displayName: 'Ada L.', email: 'ada@lovelace.dev', relatedAgentId: 'triage_agent' });
    expect(res.body).toMatchObject({ displayName: 'Ada L.', email: 'ada@lovelace.dev', relatedAgentId: 'triage_agent', kind: 'PERSON' });
    expect(res.body.createdAt).toBe(created.createdAt);
    expect((await h.api.get(path)).body).toEqual(res.body);
  });

  it.each([
    ['null keeps it', null, 'files/ada.png'],
    ['an empty string clears it', '', null],
    ['a value replaces it', 'files/new.png', 'files/new.png'],
  ])('avatarFileId: %s', async (_name, avatarFileId, expected) => {
    const h = await makeHarness();
    const { path } = await seeded(h);
    expect((await h.api.patch(path, { avatarFileId })).body.avatarFileId).toBe(expected);
    expect((await h.api.get(path)).body.avatarFileId).toBe(expected);
  });

  it('channels replaces the whole list, and [] clears it', async () => {
    const h = await makeHarness();
    const { path, email } = await seeded(h);
    const replaced = await h.api.patch(path, { channels: [{ integrationConfigId: email, address: 'ada@example.com', label: 'Work' }] });
    expect(replaced.body.channels).toEqual([{ integrationConfigId: email, address: 'ada@example.com', priority: 0, label: 'Work', disabled: false }]);
    const cleared = await h.api.patch(path, { channels: [] });
    expect(cleared.body.channels).toEqual([]);
    expect(cleared.body.health).toEqual({ reachable: false, channels: [], reason: 'NO_CHANNEL' });
  });

  it('agentIds reconciles the bindings to exactly that set, keeping the bindings that stay', async () => {
    const h = await makeHarness();
    const { path } = await seeded(h);
    await h.api.patch(`${path}/bindings/triage_agent/roster`, { roles: ['ops'], consultAllowed: true });
    const kept = (await h.api.put(`${path}/bindings/triage_agent`)).body;

    const res = await h.api.patch(path, { agentIds: ['triage_agent', 'digest_writer'] });
    expect(res.body.agentIds).toEqual(['triage_agent', 'digest_writer']);
    expect((await h.api.put(`${path}/bindings/triage_agent`)).body).toEqual(kept);
    const roster = await h.api.get(`${P}/consultRoster?agentId=triage_agent`);
    expect(roster.body.items).toEqual([expect.objectContaining({ roles: ['ops'], consultAllowed: true })]);
    expect((await h.api.get(`${P}?agentId=support_bot`)).body).toEqual([]);
    expect(h.store.counts().bindings).toBe(2);
  });

  it('agentIds [] unbinds every agent; the agents stay', async () => {
    const h = await makeHarness();
    const { path } = await seeded(h);
    expect((await h.api.patch(path, { agentIds: [] })).body.agentIds).toEqual([]);
    expect(h.store.counts().bindings).toBe(0);
    expect((await h.api.get('/agents/support_bot')).status).toBe(200);
  });

  it.each([
    ['a displayName over 150', { displayName: 'x'.repeat(151) }, 'displayName'],
    ['an unknown property', { nickname: 'Ada' }, 'nickname'],
    ['a non-array channels', { channels: 'none' }, 'channels'],
  ])('rejects %s and changes nothing', async (_name, body, field) => {
    const h = await makeHarness();
    const { path, created } = await seeded(h);
    const problem = expectProblem(await h.api.patch(path, body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty([field]);
    expect((await h.api.get(path)).body).toEqual(created);
  });
});

describe('participant-kind-fixed', () => {
  it.each([
    ['another kind', 'GROUP'],
    ['the same kind', 'PERSON'],
    ['UNSPECIFIED', 'UNSPECIFIED'],
    ['null', null],
    ['a value that is no kind at all', 'ROBOT'],
  ])('a PATCH carrying kind (%s) is 400 IMMUTABLE_FIELD and changes nothing', async (_name, kind) => {
    const h = await makeHarness();
    const { path, created } = await seeded(h);
    const before = h.store.snapshot();
    const problem = expectProblem(await h.api.patch(path, { kind, displayName: 'Changed', agentIds: [] }), 400, 'IMMUTABLE_FIELD');
    expect(problem.errors).toEqual({ kind: ['cannot be changed after creation'] });
    expect(problem.detail).toContain('recreate');
    expect(h.store.snapshot()).toEqual(before);
    expect((await h.api.get(path)).body).toEqual(created);
  });
});

describe('participant-delete-cascades-bindings', () => {
  it('answers 204 without a body, removes the participant and its bindings, and leaves the agents', async () => {
    const h = await makeHarness();
    const { path } = await seeded(h);
    const other = await createParticipant(h, { displayName: 'Other', agentIds: ['support_bot'] });
    const res = await h.api.delete(path);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectProblem(await h.api.get(path), 404, 'NOT_FOUND');
    expect((await h.api.get(P)).body).toEqual([other]);
    expect(h.store.counts()).toMatchObject({ participants: 1, bindings: 1 });
    expect((await h.api.get(`${P}/consultRoster?agentId=support_bot`)).body.items).toEqual([
      expect.objectContaining({ participantId: other.id }),
    ]);
    expect((await h.api.get('/agents/triage_agent')).status).toBe(200);
  });

  it('a second DELETE is 404', async () => {
    const h = await makeHarness();
    const { path } = await seeded(h);
    expect((await h.api.delete(path)).status).toBe(204);
    expectProblem(await h.api.delete(path), 404, 'NOT_FOUND');
  });
});

describe('participant-enable-disable', () => {
  it(':disable sets disabledAt; disabling again keeps the first timestamp', async () => {
    const h = await makeHarness();
    const { path, created } = await seeded(h);
    const first = await h.api.post(`${path}:disable`);
    expect(first.status).toBe(200);
    expect(first.body.disabledAt).toEqual(expect.any(Number));
    expect(first.body.disabledAt).toBeGreaterThan(created.createdAt as number);
    expect(first.body.modifiedAt).toBe(first.body.disabledAt);
    const second = await h.api.post(`${path}:disable`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await h.api.get(path)).body.disabledAt).toBe(first.body.disabledAt);
  });

  it(':enable clears disabledAt and leaves channel flags, bindings and channels as they were', async () => {
    const h = await makeHarness();
    const twilio = await configOf(h, 'twilio');
    const channels = [
      { integrationConfigId: twilio, address: '+14155550123', priority: 0, label: null, disabled: true },
      { integrationConfigId: twilio, address: '+14155550124', priority: 1, label: 'Backup', disabled: false },
    ];
    const created = await createParticipant(h, { displayName: 'x', channels, agentIds: ['support_bot'] });
    const path = `${P}/${created.id}`;
    const disabled = (await h.api.post(`${path}:disable`)).body;
    expect(disabled.channels).toEqual(channels);
    expect(disabled.agentIds).toEqual(['support_bot']);
    const enabled = await h.api.post(`${path}:enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.disabledAt).toBeNull();
    expect(enabled.body.channels).toEqual(channels);
    expect(enabled.body.agentIds).toEqual(['support_bot']);
    expect(enabled.body.channelActivations).toEqual(created.channelActivations);
  });

  it(':enable on an enabled participant is a 200 no-op', async () => {
    const h = await makeHarness();
    const { path, created } = await seeded(h);
    const res = await h.api.post(`${path}:enable`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
  });

  it.each([':enable', ':disable'])('%s takes no body', async (verb) => {
    const h = await makeHarness();
    const { path } = await seeded(h);
    expect((await h.api.post(`${path}${verb}`)).status).toBe(200);
  });
});
