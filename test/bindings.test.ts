import { describe, expect, it } from 'vitest';
import { expectProblem, makeHarness, type Harness } from './helpers.js';
import { NEVER_ISSUED, P, UUID, createParticipant } from './participant-helpers.js';

async function participant(h: Harness, body: Record<string, unknown> = {}) {
  const created = await createParticipant(h, { displayName: 'Ada', ...body });
  return { created, path: `${P}/${created.id}` };
}

describe('binding-idempotent', () => {
  it('PUT binds the agent and answers the binding', async () => {
    const h = await makeHarness();
    const { created, path } = await participant(h);
    const res = await h.api.put(`${path}/bindings/support_bot`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      tenantId: expect.stringMatching(UUID),
      createdAt: expect.any(Number),
      modifiedAt: res.body.createdAt,
      participantId: created.id,
      agentId: 'support_bot',
      channelActivations: [],
    });
    expect((await h.api.get(path)).body.agentIds).toEqual(['support_bot']);
  });

  it('a second PUT returns the same binding, same id, and adds no duplicate', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['triage_agent'] });
    const first = await h.api.put(`${path}/bindings/support_bot`);
    const second = await h.api.put(`${path}/bindings/support_bot`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await h.api.get(path)).body.agentIds).toEqual(['triage_agent', 'support_bot']);
    expect(h.store.counts().bindings).toBe(2);
  });

  it('a PUT for an agent bound at creation returns that binding', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    const before = h.store.snapshot();
    expect((await h.api.put(`${path}/bindings/support_bot`)).status).toBe(200);
    expect(h.store.snapshot()).toEqual(before);
  });

  it('DELETE unbinds (204, no body); the participant and the agent stay', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot', 'triage_agent'] });
    const res = await h.api.delete(`${path}/bindings/support_bot`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await h.api.get(path)).body.agentIds).toEqual(['triage_agent']);
    expect((await h.api.get('/agents/support_bot')).status).toBe(200);
  });

  it('rebinding after an unbind makes a new binding with an empty roster entry', async () => {
    const h = await makeHarness();
    const { path } = await participant(h);
    const first = (await h.api.put(`${path}/bindings/support_bot`)).body;
    await h.api.patch(`${path}/bindings/support_bot/roster`, { roles: ['ux'], consultAllowed: true });
    await h.api.delete(`${path}/bindings/support_bot`);
    const again = (await h.api.put(`${path}/bindings/support_bot`)).body;
    expect(again.id).not.toBe(first.id);
    const roster = await h.api.get(`${P}/consultRoster?agentId=support_bot`);
    expect(roster.body.items).toEqual([expect.objectContaining({ roles: [], consultAllowed: false, maxUrgency: 'NORMAL' })]);
  });

  it.each([
    ['PUT, unknown participant', 'put', NEVER_ISSUED, 'support_bot', 404],
    ['PUT, agent the tenant does not have', 'put', 'OWN', 'ghost_agent', 404],
    ['PUT, known agent', 'put', 'OWN', 'digest_writer', 200],
    ['DELETE, unknown participant', 'delete', NEVER_ISSUED, 'support_bot', 404],
    ['DELETE, agent never bound', 'delete', 'OWN', 'digest_writer', 204],
    ['DELETE, agent the tenant does not have', 'delete', 'OWN', 'ghost_agent', 204],
    ['DELETE, bound agent', 'delete', 'OWN', 'support_bot', 204],
  ] as const)('%s answers %i', async (_name, method, who, agent, status) => {
    const h = await makeHarness();
    const { created } = await participant(h, { agentIds: ['support_bot'] });
    const id = who === 'OWN' ? created.id : who;
    const res = await h.api[method](`${P}/${id}/bindings/${agent}`);
    if (status === 404) {
      const problem = expectProblem(res, 404, 'NOT_FOUND');
      expect(problem.detail).toContain(who === 'OWN' ? agent : id);
    } else {
      expect(res.status).toBe(status);
    }
  });

  it('a DELETE that finds nothing to unbind changes nothing', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    const before = h.store.snapshot();
    for (let i = 0; i < 2; i += 1) expect((await h.api.delete(`${path}/bindings/triage_agent`)).status).toBe(204);
    expect(h.store.snapshot()).toEqual(before);
  });

  it('bind-unknown-agent-404: a PUT for an unknown agent is 404 and stores nothing', async () => {
    const h = await makeHarness();
    const { path } = await participant(h);
    const before = h.store.snapshot();
    expectProblem(await h.api.put(`${path}/bindings/ghost_agent`), 404, 'NOT_FOUND');
    expect(h.store.snapshot()).toEqual(before);
  });
});

describe('roster-defaults-subset', () => {
  const rosterPath = (path: string, agent = 'support_bot') => `${path}/bindings/${agent}/roster`;

  it('roster-starts-normal: a new binding starts with an empty roster entry', async () => {
    const h = await makeHarness();
    const { created } = await participant(h, { kind: 'GROUP', agentIds: ['support_bot'] });
    const res = await h.api.get(`${P}/consultRoster?agentId=support_bot`);
    expect(res.body.items).toEqual([
      { participantId: created.id, agentId: 'support_bot', displayName: 'Ada', kind: 'GROUP', roles: [], consultAllowed: false, maxUrgency: 'NORMAL', defaultForRoles: [] },
    ]);
  });

  it('writes the fields it is given and answers the roster entry', async () => {
    const h = await makeHarness();
    const { created, path } = await participant(h, { agentIds: ['support_bot'] });
    const body = { roles: ['ux', 'on-call'], consultAllowed: true, maxUrgency: 'HIGH', defaultForRoles: ['on-call'] };
    const res = await h.api.patch(rosterPath(path), body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ participantId: created.id, agentId: 'support_bot', displayName: 'Ada', kind: 'PERSON', ...body });
    expect((await h.api.get(`${P}/consultRoster?agentId=support_bot`)).body.items).toEqual([res.body]);
  });

  it('keeps null or absent fields, and maxUrgency UNSPECIFIED', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    const set = (await h.api.patch(rosterPath(path), { roles: ['ux'], consultAllowed: true, maxUrgency: 'EMERGENCY', defaultForRoles: ['ux'] })).body;
    const kept = await h.api.patch(rosterPath(path), { roles: null, consultAllowed: null, maxUrgency: 'UNSPECIFIED', defaultForRoles: null });
    expect(kept.body).toEqual(set);
    expect((await h.api.patch(rosterPath(path), {})).body).toEqual(set);
  });

  it.each([
    ['a default that is not a role', { roles: ['ux'], defaultForRoles: ['ux', 'legal'] }, 'defaultForRoles[1]', 'legal'],
    ['defaults without any roles', { defaultForRoles: ['ux'] }, 'defaultForRoles[0]', 'ux'],
  ])('rejects %s with 400 naming it, and changes nothing', async (_name, body, field, role) => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    const before = h.store.snapshot();
    const problem = expectProblem(await h.api.patch(rosterPath(path), body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual({ [field]: [`'${role}' is not one of roles`] });
    expect(problem.detail).toContain(`'${role}'`);
    expect(h.store.snapshot()).toEqual(before);
  });

  it('checks the resulting state: dropping a role that is still a default is 400', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    await h.api.patch(rosterPath(path), { roles: ['ux', 'ops'], defaultForRoles: ['ops'] });
    expectProblem(await h.api.patch(rosterPath(path), { roles: ['ux'] }), 400, 'VALIDATION_FAILED');
    expect((await h.api.patch(rosterPath(path), { roles: ['ux'], defaultForRoles: [] })).body.roles).toEqual(['ux']);
  });

  it.each([
    ['a binding that does not exist', 'OWN', 'triage_agent'],
    ['an agent the tenant does not have', 'OWN', 'ghost_agent'],
    ['an unknown participant', NEVER_ISSUED, 'support_bot'],
  ])('is 404 for %s', async (_name, who, agent) => {
    const h = await makeHarness();
    const { created } = await participant(h, { agentIds: ['support_bot'] });
    const id = who === 'OWN' ? created.id : who;
    const before = h.store.snapshot();
    expectProblem(await h.api.patch(`${P}/${id}/bindings/${agent}/roster`, { roles: ['ux'] }), 404, 'NOT_FOUND');
    expect(h.store.snapshot()).toEqual(before);
  });

  it.each([
    ['an unknown property', { roles: [], colour: 'red' }, 'colour'],
    ['an unknown urgency', { maxUrgency: 'URGENT' }, 'maxUrgency'],
  ])('rejects %s', async (_name, body, field) => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    const problem = expectProblem(await h.api.patch(rosterPath(path), body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty([field]);
  });
});

describe('consult-roster-by-agent', () => {
  it('lists one entry per participant bound to the agent, in binding order, in the paged envelope', async () => {
    const h = await makeHarness();
    const a = (await participant(h, { agentIds: ['support_bot'] })).created;
    await participant(h, { agentIds: ['triage_agent'] });
    const c = (await createParticipant(h, { displayName: 'Ops', kind: 'GROUP' }));
    await h.api.put(`${P}/${c.id}/bindings/support_bot`);
    const res = await h.api.get(`${P}/consultRoster?agentId=support_bot`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [expect.objectContaining({ participantId: a.id }), expect.objectContaining({ participantId: c.id, kind: 'GROUP', displayName: 'Ops' })],
      nextPageToken: null,
      totalCount: 2,
    });
  });

  it('includes disabled participants', async () => {
    const h = await makeHarness();
    const { path } = await participant(h, { agentIds: ['support_bot'] });
    await h.api.post(`${path}:disable`);
    expect((await h.api.get(`${P}/consultRoster?agentId=support_bot`)).body.totalCount).toBe(1);
  });

  it('paging-names-per-list: pages with PageSize and PageToken.Cursor or PageToken.Skip', async () => {
    const h = await makeHarness();
    for (let i = 0; i < 3; i += 1) await participant(h, { displayName: `P${i}`, agentIds: ['support_bot'] });
    const first = await h.api.get(`${P}/consultRoster?agentId=support_bot&PageSize=2`);
    expect(first.body.items.map((e: { displayName: string }) => e.displayName)).toEqual(['P0', 'P1']);
    expect(first.body).toMatchObject({ nextPageToken: '2', totalCount: 3 });
    const second = await h.api.get(`${P}/consultRoster?agentId=support_bot&PageSize=2&PageToken.Cursor=${first.body.nextPageToken}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ displayName: 'P2' })], nextPageToken: null, totalCount: 3 });
    const skipped = await h.api.get(`${P}/consultRoster?agentId=support_bot&pagesize=2&pagetoken.skip=2`);
    expect(skipped.body).toEqual(second.body);
  });

  it.each([
    ['without agentId', '', 400, 'VALIDATION_FAILED'],
    ['for an agent the tenant does not have', '?agentId=ghost_agent', 404, 'NOT_FOUND'],
  ])('is an error %s', async (_name, query, status, code) => {
    const h = await makeHarness();
    expectProblem(await h.api.get(`${P}/consultRoster${query}`), status, code);
  });

  it('is a literal segment: never taken for a participant id', async () => {
    const h = await makeHarness();
    expect((await h.api.get(`${P}/consultRoster?agentId=digest_writer`)).body).toEqual({ items: [], nextPageToken: null, totalCount: 0 });
    for (const res of [await h.api.delete(`${P}/consultRoster`), await h.api.patch(`${P}/consultRoster`, {})]) {
      expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('GET');
    }
  });
});

describe('GET /agents/{agent}', () => {
  it.each([
    ['support_bot', 200],
    ['digest_writer', 200],
    ['ghost_agent', 404],
  ])('%s answers %i', async (agent, status) => {
    const h = await makeHarness();
    const res = await h.api.get(`/agents/${agent}`);
    if (status === 404) expectProblem(res, 404, 'NOT_FOUND');
    else expect(res.body).toMatchObject({ id: agent, tenantId: expect.stringMatching(UUID) });
  });

  it('every agent GET answers 200 for can be bound', async () => {
    const h = await makeHarness();
    const { path } = await participant(h);
    for (const agent of h.catalog.agents) {
      expect((await h.api.get(`/agents/${agent.id}`)).status).toBe(200);
      expect((await h.api.put(`${path}/bindings/${agent.id}`)).status).toBe(200);
    }
  });
});
