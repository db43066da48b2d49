import { describe, expect, it } from 'vitest';
import { expectProblem, makeHarness, type Harness } from './helpers.js';
import { NEVER_ISSUED, P, UUID, configOf, createParticipant } from './participant-helpers.js';

describe('POST /participants', () => {
  it('answers 200 with the whole participant, and stores it', async () => {
    const h = await makeHarness();
    const config = await configOf(h, 'email');
    const res = await h.api.post(P, {
      kind: 'GROUP',
      displayName: 'On-call team',
      email: 'oncall@example.com',
      channels: [{ integrationConfigId: config, address: 'oncall@example.com', priority: 1, label: 'Pager', disabled: false }],
      agentIds: ['support_bot'],
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      kind: 'GROUP',
      displayName: 'On-call team',
      email: 'oncall@example.com',
      relatedAgentId: null,
      channels: [{ integrationConfigId: config, address: 'oncall@example.com', priority: 1, label: 'Pager', disabled: false }],
      agentIds: ['support_bot'],
      disabledAt: null,
      health: {
        reachable: true,
        channels: [{ address: 'oncall@example.com', reason: null, keyStatus: 'UNSPECIFIED', keyPrefix: null, lastMessageAt: null }],
        reason: null,
      },
      channelActivations: [],
      avatarFileId: null,
      avatarSource: null,
      avatarSourceConfigId: null,
      avatarSourceAddress: null,
      avatarSyncedAt: null,
      avatarAutoSync: null,
      createdAt: expect.any(Number),
      modifiedAt: res.body.createdAt,
    });
    expect((await h.api.get(`${P}/${res.body.id}`)).body).toEqual(res.body);
    expect((await h.api.get(P)).body).toEqual([res.body]);
  });

  it('fills channel defaults: priority 0, label null, enabled', async () => {
    const h = await makeHarness();
    const config = await configOf(h, 'telegram');
    const created = await createParticipant(h, { displayName: 'Bob', channels: [{ integrationConfigId: config, address: '123456789' }] });
    expect(created.channels).toEqual([{ integrationConfigId: config, address: '123456789', priority: 0, label: null, disabled: false }]);
  });

  it.each([
    ['omitted', {}, 'PERSON'],
    ['UNSPECIFIED', { kind: 'UNSPECIFIED' }, 'PERSON'],
    ['PERSON', { kind: 'PERSON' }, 'PERSON'],
    ['GROUP', { kind: 'GROUP' }, 'GROUP'],
    ['AI_AGENT', { kind: 'AI_AGENT' }, 'AI_AGENT'],
  ])('participant-kind-fixed: stores kind %s as %s', async (_name, extra, stored) => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'x', ...extra });
    expect(created.kind).toBe(stored);
    expect((await h.api.get(`${P}/${created.id}`)).body.kind).toBe(stored);
  });

  it.each(['person', 'ROBOT', '', null, 1])('participant-kind-fixed: rejects kind %j and stores nothing', async (kind) => {
    const h = await makeHarness();
    const problem = expectProblem(await h.api.post(P, { displayName: 'x', kind }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['kind']);
    expect((await h.api.get(P)).body).toEqual([]);
  });

  it.each([
    ['a missing displayName', { email: 'a@b.co' }, 'displayName'],
    ['a null displayName', { displayName: null }, 'displayName'],
    ['an unknown top-level property', { displayName: 'x', nickname: 'y' }, 'nickname'],
    ['an unknown channel property', { displayName: 'x', channels: [{ integrationConfigId: NEVER_ISSUED, address: 'a', colour: 'red' }] }, 'channels[0].colour'],
    ['a channel without address', { displayName: 'x', channels: [{ integrationConfigId: NEVER_ISSUED }] }, 'channels[0].address'],
    ['a channel config that is not a uuid', { displayName: 'x', channels: [{ integrationConfigId: 'slack', address: 'a' }] }, 'channels[0].integrationConfigId'],
  ])('no-unknown-properties: rejects %s with a field error and stores nothing', async (_name, body, field) => {
    const h = await makeHarness();
    const problem = expectProblem(await h.api.post(P, body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty([field]);
    expect((await h.api.get(P)).body).toEqual([]);
  });
});

describe('participant-create-atomic', () => {
  type BadCase = [string, (h: Harness, own: string, foreign: string) => Record<string, unknown>, string, string];
  const cases: BadCase[] = [
    ['an agentIds entry the tenant does not have', () => ({ agentIds: ['support_bot', 'ghost_agent'] }), 'agentIds[1]', 'ghost_agent'],
    ['a relatedAgentId the tenant does not have', () => ({ kind: 'AI_AGENT', relatedAgentId: 'ghost_agent' }), 'relatedAgentId', 'ghost_agent'],
    [
      'a channel on a config that was never issued',
      (_h, own) => ({ channels: [{ integrationConfigId: own, address: '+14155550123' }, { integrationConfigId: NEVER_ISSUED, address: '+14155550124' }] }),
      'channels[1].integrationConfigId',
      NEVER_ISSUED,
    ],
    [
      "a channel on another tenant's config",
      (_h, _own, foreign) => ({ channels: [{ integrationConfigId: foreign, address: '+14155550123' }], agentIds: ['support_bot'] }),
      'channels[0].integrationConfigId',
      'FOREIGN',
    ],
  ];

  it.each(cases)('participant-references-checked: rejects %s with 400 naming it, and stores nothing', async (_name, makeBody, field, value) => {
    const h = await makeHarness();
    const own = await configOf(h, 'twilio');
    const foreign = await configOf(h, 'twilio', 'globex');
    const existing = await createParticipant(h, { displayName: 'Existing', agentIds: ['triage_agent'] });
    const before = h.store.snapshot();
    const offending = value === 'FOREIGN' ? foreign : value;

    const res = await h.api.post(P, { displayName: 'New', ...makeBody(h, own, foreign) });

    const problem = expectProblem(res, 400, 'INVALID_REFERENCE');
    expect(problem.errors).toEqual({ [field]: [expect.stringContaining(offending)] });
    expect(problem.detail).toContain(`${field}: '${offending}'`);
    expect(h.store.snapshot()).toEqual(before);
    expect((await h.api.get(P)).body.map((p: { id: string }) => p.id)).toEqual([existing.id]);
    expect((await h.api.get(`${P}/consultRoster?agentId=support_bot`)).body.totalCount).toBe(0);
  });

  it('names every offender at once', async () => {
    const h = await makeHarness();
    const res = await h.api.post(P, {
      displayName: 'x',
      agentIds: ['nope_1', 'support_bot', 'nope_2'],
      channels: [{ integrationConfigId: NEVER_ISSUED, address: 'a' }],
    });
    const problem = expectProblem(res, 400, 'INVALID_REFERENCE');
    expect(Object.keys(problem.errors as object).sort()).toEqual(['agentIds[0]', 'agentIds[2]', 'channels[0].integrationConfigId']);
  });

  it('binds every listed agent in the same write, once each', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'x', agentIds: ['triage_agent', 'support_bot', 'triage_agent'] });
    expect(created.agentIds).toEqual(['triage_agent', 'support_bot']);
    expect(h.store.counts()).toMatchObject({ participants: 1, bindings: 2 });
  });

  it('accepts an empty agentIds list', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'x', agentIds: [], channels: null });
    expect(created.agentIds).toEqual([]);
    expect(created.channels).toEqual([]);
  });

  it('PATCH: an unknown agent or foreign config changes nothing, not even the fields that were valid', async () => {
    const h = await makeHarness();
    const own = await configOf(h, 'twilio');
    const foreign = await configOf(h, 'twilio', 'globex');
    const created = await createParticipant(h, {
      displayName: 'Before',
      channels: [{ integrationConfigId: own, address: '+14155550123' }],
      agentIds: ['support_bot'],
    });
    const before = h.store.snapshot();
    const bodies = [
      { displayName: 'After', agentIds: ['triage_agent', 'ghost_agent'] },
      { displayName: 'After', agentIds: [], channels: [{ integrationConfigId: foreign, address: '+14155550199' }] },
      { relatedAgentId: 'ghost_agent', avatarFileId: 'files/x.png' },
    ];
    for (const body of bodies) {
      expectProblem(await h.api.patch(`${P}/${created.id}`, body), 400, 'INVALID_REFERENCE');
      expect(h.store.snapshot()).toEqual(before);
    }
    expect((await h.api.get(`${P}/${created.id}`)).body).toEqual(created);
  });
});

describe('lengths-count-utf16', () => {
  const emoji = '😀';
  it.each([
    ['0 characters', '', 400],
    ['1 ASCII character', 'a', 200],
    ['1 emoji (2 units)', emoji, 200],
    ['150 ASCII characters', 'a'.repeat(150), 200],
    ['151 ASCII characters', 'a'.repeat(151), 400],
    ['150 precomposed accented letters', 'é'.repeat(150), 200],
    ['151 precomposed accented letters', 'é'.repeat(151), 400],
    ['75 decomposed accented letters (150 units)', 'e\u0301'.repeat(75), 200],
    ['76 decomposed accented letters (152 units)', 'e\u0301'.repeat(76), 400],
    ['75 emoji (150 units)', emoji.repeat(75), 200],
    ['76 emoji (152 units, 76 code points)', emoji.repeat(76), 400],
    ['149 ASCII and 1 emoji (151 units)', `${'a'.repeat(149)}${emoji}`, 400],
  ])('displayName of %s answers %i', async (_name, displayName, status) => {
    const h = await makeHarness();
    const res = await h.api.post(P, { displayName });
    if (status === 200) {
      expect(res.status).toBe(200);
      expect(res.body.displayName).toBe(displayName);
    } else {
      const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual({ displayName: [expect.any(String)] });
      expect((await h.api.get(P)).body).toEqual([]);
    }
  });

  it('says the count is in UTF-16 code units when code points alone would have passed', async () => {
    const h = await makeHarness();
    const problem = expectProblem(await h.api.post(P, { displayName: emoji.repeat(76) }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual({ displayName: ['must NOT have more than 150 characters (UTF-16 code units); it has 152'] });
  });

  it.each([
    ['2000 emoji (4000 units)', emoji.repeat(2000), 200],
    ['2001 emoji (4002 units)', emoji.repeat(2001), 400],
    ['4000 ASCII', 'a'.repeat(4000), 200],
    ['4001 ASCII', 'a'.repeat(4001), 400],
  ])('email of %s answers %i', async (_name, email, status) => {
    const h = await makeHarness();
    expect((await h.api.post(P, { displayName: 'x', email })).status).toBe(status);
  });

  it('PATCH: a 76-emoji displayName is rejected and the stored name kept', async () => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: emoji.repeat(75) });
    const problem = expectProblem(await h.api.patch(`${P}/${created.id}`, { displayName: emoji.repeat(76) }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['displayName']);
    expect((await h.api.get(`${P}/${created.id}`)).body.displayName).toBe(emoji.repeat(75));
  });

  it('channel-address-length: checks channel addresses in UTF-16 code units too, and labels not at all', async () => {
    const h = await makeHarness();
    const config = await configOf(h, 'github');
    const res = await h.api.post(P, {
      displayName: 'x',
      channels: [{ integrationConfigId: config, address: emoji.repeat(2001), label: emoji.repeat(76) }],
    });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(Object.keys(problem.errors as object).sort()).toEqual(['channels[0].address']);
    expect((await h.api.get(P)).body).toEqual([]);
  });
});

describe('GET /participants', () => {
  it('is a bare array in creation order, narrowed by agentId', async () => {
    const h = await makeHarness();
    const a = await createParticipant(h, { displayName: 'A', agentIds: ['support_bot'] });
    const b = await createParticipant(h, { displayName: 'B', agentIds: ['triage_agent', 'support_bot'] });
    const c = await createParticipant(h, { displayName: 'C' });
    const ids = async (query: string) => (await h.api.get(`${P}${query}`)).body.map((p: { id: string }) => p.id);
    expect(await ids('')).toEqual([a.id, b.id, c.id]);
    expect(await ids('?agentId=support_bot')).toEqual([a.id, b.id]);
    expect(await ids('?agentId=triage_agent')).toEqual([b.id]);
    expect(await ids('?agentId=digest_writer')).toEqual([]);
    expect(await ids('?agentId=ghost_agent')).toEqual([]);
  });

  it('unknown-query-ignored: ignores a query parameter it does not declare, and binds agentid whatever its case', async () => {
    const h = await makeHarness();
    const a = await createParticipant(h, { displayName: 'A', agentIds: ['support_bot'] });
    await createParticipant(h, { displayName: 'B' });
    const res = await h.api.get(`${P}?pageSize=10&AGENTID=support_bot`);
    expect(res.status).toBe(200);
    expect(res.body.map((p: { id: string }) => p.id)).toEqual([a.id]);
  });
});

describe('tenant-isolation', () => {
  it.each([
    ['GET', (h: Harness, id: string) => h.as('globex').get(`${P}/${id}`)],
    ['PATCH', (h: Harness, id: string) => h.as('globex').patch(`${P}/${id}`, { displayName: 'stolen' })],
    ['DELETE', (h: Harness, id: string) => h.as('globex').delete(`${P}/${id}`)],
    [':enable', (h: Harness, id: string) => h.as('globex').post(`${P}/${id}:enable`)],
    [':disable', (h: Harness, id: string) => h.as('globex').post(`${P}/${id}:disable`)],
    ['PUT binding', (h: Harness, id: string) => h.as('globex').put(`${P}/${id}/bindings/support_bot`)],
    ['DELETE binding', (h: Harness, id: string) => h.as('globex').delete(`${P}/${id}/bindings/support_bot`)],
    ['PATCH roster', (h: Harness, id: string) => h.as('globex').patch(`${P}/${id}/bindings/support_bot/roster`, { roles: ['x'] })],
  ])("%s on another tenant's participant is 404 and changes nothing", async (_name, send) => {
    const h = await makeHarness();
    const created = await createParticipant(h, { displayName: 'Mine', agentIds: ['support_bot'] });
    const before = h.store.snapshot();
    const problem = expectProblem(await send(h, created.id), 404, 'NOT_FOUND');
    expect(problem.detail).toContain(created.id);
    expect(h.store.snapshot()).toEqual(before);
    expect((await h.as('globex').get(P)).body).toEqual([]);
    expect((await h.as('globex').get(`${P}/consultRoster?agentId=support_bot`)).body.totalCount).toBe(0);
  });

  it.each([
    ['GET', 'get', ''],
    ['PATCH', 'patch', ''],
    ['DELETE', 'delete', ''],
    [':enable', 'post', ':enable'],
    [':disable', 'post', ':disable'],
  ] as const)('%s of an unknown participant is 404', async (_name, method, suffix) => {
    const h = await makeHarness();
    const res = method === 'patch' ? await h.api.patch(`${P}/${NEVER_ISSUED}`, {}) : await h.api[method](`${P}/${NEVER_ISSUED}${suffix}`);
    expectProblem(res, 404, 'NOT_FOUND');
  });

  it('a malformed participant id is a 400 naming the path parameter', async () => {
    const h = await makeHarness();
    const problem = expectProblem(await h.api.get(`${P}/not-a-uuid`), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['participant']);
  });
});

describe('ids are GUIDs', () => {
  it('matches participant and config ids case-insensitively, as .NET GUIDs do', async () => {
    const h = await makeHarness();
    const config = await configOf(h, 'twilio');
    const created = await createParticipant(h, { displayName: 'x', channels: [{ integrationConfigId: config.toUpperCase(), address: '+14155550123' }] });
    expect(created.channels[0]!.integrationConfigId).toBe(config);
    expect((await h.api.get(`${P}/${created.id.toUpperCase()}`)).body).toEqual(created);
  });
});
