import { describe, expect, it } from 'vitest';
import { MockControlError, mockClient, startMock } from '../src/index.js';
import { T0, configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const MISSING = '00000000-0000-4000-8000-000000000000';
const SLOT_ID = '5107a0e1-0000-4000-8000-000000000001';

async function participant(h: Harness, kind: 'PERSON' | 'GROUP' | 'AI_AGENT' = 'PERSON', displayName: string = kind): Promise<string> {
  const res = await h.api.post('/participants', { displayName, kind });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

const define = (h: Harness, agent: string, body: unknown, tenant = 'acme') => h.mock.put(`/tenants/${tenant}/agents/${agent}/definition`, body);

async function publishedConfig(h: Harness, integration = 'slack'): Promise<string> {
  const config = (await h.api.post(configsPath(integration), { displayName: 'used' })).body.id as string;
  expect((await h.api.post(`${configsPath(integration)}/${config}:publish`)).status).toBe(200);
  return config;
}

describe('GET /agents/{agent}/slots', () => {
  it('agent-slots-list: the declared slots in order, bound=false until someone fills one', async () => {
    const h = await makeHarness();
    expect((await h.api.get('/agents/support_bot/slots')).body).toEqual([
      { name: 'escalation_manager', displayName: 'Escalation manager', requiredKind: 'PERSON', participantId: null, bound: false, orphaned: false },
      { name: 'on_call_team', displayName: 'On-call team', requiredKind: 'GROUP', participantId: null, bound: false, orphaned: false },
    ]);
    expect((await h.api.get('/agents/digest_writer/slots')).body).toEqual([]);
    const team = await participant(h, 'GROUP');
    await h.api.put(`/agents/support_bot/slots/on_call_team/binding/${team}`);
    expect((await h.api.get('/agents/support_bot/slots')).body[1]).toMatchObject({ name: 'on_call_team', participantId: team, bound: true, orphaned: false });
  });

  it('agent-slots-list: a binding whose slot the current revision no longer declares is listed as orphaned, and can be pruned', async () => {
    const h = await makeHarness();
    const reviewer = await participant(h);
    await h.api.put(`/agents/triage_agent/slots/reviewer/binding/${reviewer}`);
    expect((await define(h, 'triage_agent', { slots: [{ name: 'lead', displayName: 'Lead' }] })).status).toBe(200);
    expect((await h.api.get('/agents/triage_agent/slots')).body).toEqual([
      { name: 'lead', displayName: 'Lead', requiredKind: 'ANY', participantId: null, bound: false, orphaned: false },
      { name: 'reviewer', displayName: null, requiredKind: 'ANY', participantId: reviewer, bound: true, orphaned: true },
    ]);
    expect((await h.api.delete('/agents/triage_agent/slots/reviewer/binding')).status).toBe(204);
    expect((await h.api.get('/agents/triage_agent/slots')).body.map((s: { name: string }) => s.name)).toEqual(['lead']);
  });

  it('agent-slots-list: 404 for an agent the tenant does not have', async () => {
    const h = await makeHarness();
    expectProblem(await h.api.get('/agents/nobody/slots'), 404, 'NOT_FOUND');
  });
});

describe('PUT /agents/{agent}/slots/{slot}/binding/{binding}', () => {
  it('slot-binding-kind-matches: the participant\'s kind must be the slot\'s requiredKind; ANY takes every kind', async () => {
    const h = await makeHarness();
    const person = await participant(h, 'PERSON');
    const group = await participant(h, 'GROUP');
    const ai = await participant(h, 'AI_AGENT');
    const matrix: [string, string, number][] = [
      ['escalation_manager', person, 200],
      ['escalation_manager', group, 400],
      ['on_call_team', group, 200],
      ['on_call_team', ai, 400],
    ];
    for (const [slot, who, status] of matrix) {
      const before = h.store.snapshot();
      const res = await h.api.put(`/agents/support_bot/slots/${slot}/binding/${who}`);
      if (status === 400) {
        const body = expectProblem(res, 400, 'SLOT_KIND_MISMATCH');
        expect(body.errors).toEqual({ binding: [expect.stringContaining('cannot fill')] });
        expect(h.store.snapshot()).toEqual(before);
      } else expect(res.status).toBe(200);
    }
    for (const who of [person, group, ai]) expect((await h.api.put(`/agents/triage_agent/slots/reviewer/binding/${who}`)).status).toBe(200);
  });

  it('slot-binding-kind-matches: a slot the current revision does not declare is a 400, unknown ids are 404, and nothing is stored', async () => {
    const h = await makeHarness();
    const person = await participant(h);
    const before = h.store.snapshot();
    const undeclared = expectProblem(await h.api.put(`/agents/support_bot/slots/cfo/binding/${person}`), 400, 'SLOT_NOT_DECLARED');
    expect(undeclared.errors).toEqual({ slot: ["'cfo' is not a declared slot"] });
    expectProblem(await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${MISSING}`), 404, 'NOT_FOUND');
    expectProblem(await h.api.put(`/agents/nobody/slots/escalation_manager/binding/${person}`), 404, 'NOT_FOUND');
    expectProblem(await h.as('globex').put(`/agents/support_bot/slots/escalation_manager/binding/${person}`), 404, 'NOT_FOUND');
    expectProblem(await h.api.put('/agents/support_bot/slots/escalation_manager/binding/not-a-uuid'), 400, 'VALIDATION_FAILED');
    expect(h.store.snapshot()).toEqual(before);
  });

  it('slot-rebind-keeps-id: rebinding replaces the participant in place, keeping the binding id and createdAt', async () => {
    const time = { now: T0 };
    const h = await makeHarness({ clock: () => time.now });
    const first = await participant(h, 'PERSON', 'First');
    const second = await participant(h, 'PERSON', 'Second');
    const bound = (await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${first}`)).body;
    expect(bound).toEqual({
      id: expect.any(String), tenantId: expect.any(String), agentId: 'support_bot', slotName: 'escalation_manager',
      participantId: first, createdAt: T0, modifiedAt: T0,
    });
    time.now += 10;
    expect((await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${first}`)).body).toEqual(bound);
    const rebound = (await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${second.toUpperCase()}`)).body;
    expect(rebound).toEqual({ ...bound, participantId: second, modifiedAt: T0 + 10 });
    expect(h.store.listSlotBindings('acme')).toHaveLength(1);
  });
});

describe('DELETE /agents/{agent}/slots/{slot}/binding', () => {
  it('slot-unbind-204: 204 whether or not a binding existed; the declaration stays', async () => {
    const h = await makeHarness();
    const person = await participant(h);
    await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${person}`);
    for (let i = 0; i < 2; i++) {
      const res = await h.api.delete('/agents/support_bot/slots/escalation_manager/binding');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    }
    expect((await h.api.delete('/agents/support_bot/slots/never_declared/binding')).status).toBe(204);
    expect((await h.api.get('/agents/support_bot/slots')).body[0]).toMatchObject({ name: 'escalation_manager', bound: false, participantId: null });
    expect((await h.api.get(`/participants/${person}`)).status).toBe(200);
  });

  it('slot-unbind-204: 404 only for an agent the tenant does not have', async () => {
    const h = await makeHarness();
    expectProblem(await h.api.delete('/agents/nobody/slots/x/binding'), 404, 'NOT_FOUND');
  });
});

describe('declaring slots', () => {
  it('agent-slots-declared-by-control-plane: a definition replaces the lists it carries, keeps the others, and deploys a new revision', async () => {
    const h = await makeHarness();
    const config = await publishedConfig(h);
    const integrationSlots = [{ id: SLOT_ID.toUpperCase(), integrationId: 'slack', displayName: 'Workspace', tenantConfigId: config }];
    const first = await define(h, 'support_bot', { integrationSlots });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      agentId: 'support_bot',
      currentRevision: 8,
      slots: [
        { name: 'escalation_manager', displayName: 'Escalation manager', requiredKind: 'PERSON' },
        { name: 'on_call_team', displayName: 'On-call team', requiredKind: 'GROUP' },
      ],
      integrationSlots: [{ id: SLOT_ID, integrationId: 'slack', displayName: 'Workspace', tenantConfigId: config }],
    });
    const second = await define(h, 'support_bot', { slots: [] });
    expect(second.body).toMatchObject({ currentRevision: 9, slots: [], integrationSlots: [{ id: SLOT_ID }] });
    expect((await h.api.get('/agents/support_bot')).body.currentRevision).toBe(9);
    expect((await h.api.get('/agents/support_bot/slots')).body).toEqual([]);
    // Only this tenant's copy changed.
    expect((await h.as('globex').get('/agents/support_bot/slots')).body).toHaveLength(2);
  });

  it('agent-slots-declared-by-control-plane: a created agent gets slots the same way; bad definitions are refused whole', async () => {
    const h = await makeHarness();
    await h.api.post('/agents', { id: 'approver_bot' });
    expect((await define(h, 'approver_bot', { slots: [{ name: 'cfo', requiredKind: 'PERSON' }] })).body.currentRevision).toBe(1);
    expect((await h.api.get('/agents/approver_bot/slots')).body).toEqual([
      { name: 'cfo', displayName: null, requiredKind: 'PERSON', participantId: null, bound: false, orphaned: false },
    ]);
    const before = h.store.snapshot();
    const twice = expectProblem(await define(h, 'approver_bot', { slots: [{ name: 'a' }, { name: 'a' }] }), 400, 'VALIDATION_FAILED');
    expect(twice.errors).toEqual({ 'slots[1].name': ["'a' is declared twice"] });
    expectProblem(await define(h, 'approver_bot', { slots: [{ name: 'a', requiredKind: 'ROBOT' }] }), 400, 'VALIDATION_FAILED');
    expectProblem(await define(h, 'approver_bot', { extra: true }), 400, 'VALIDATION_FAILED');
    expectProblem(await define(h, 'nobody', { slots: [] }), 404, 'NOT_FOUND');
    expect(h.store.snapshot()).toEqual(before);
  });

  it('agent-slots-declared-by-control-plane: startMock and mockClient declare slots too', async () => {
    const mock = await startMock();
    try {
      const declared = await mock.defineAgent({ tenant: 'acme', agentId: 'digest_writer', slots: [{ name: 'editor', requiredKind: 'PERSON' }] });
      expect(declared).toEqual({ agentId: 'digest_writer', currentRevision: 2, slots: [{ name: 'editor', displayName: null, requiredKind: 'PERSON' }], integrationSlots: [] });
      const client = mockClient(mock.url);
      expect((await client.defineAgent({ tenant: 'acme', agentId: 'digest_writer', slots: [] })).currentRevision).toBe(3);
      const refused = await client.defineAgent({ tenant: 'acme', agentId: 'nobody', slots: [] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MockControlError);
      expect((refused as MockControlError).status).toBe(404);
      const slots = await fetch(`${mock.url}/v1/tenants/acme/agents/digest_writer/slots`, { headers: { Authorization: 'Bearer t' } });
      expect(await slots.json()).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it('integration-slots-checked: an integration slot must point at a published config of the tenant on its integration', async () => {
    const h = await makeHarness();
    const draft = (await h.api.post(configsPath(), { displayName: 'draft' })).body.id as string;
    const published = await publishedConfig(h);
    const theirs = (await h.as('globex').post(configsPath(), { displayName: 'theirs' })).body.id as string;
    const before = h.store.snapshot();
    const res = expectProblem(await define(h, 'support_bot', {
      integrationSlots: [
        { id: SLOT_ID, integrationId: 'slack', tenantConfigId: draft },
        { id: '5107a0e1-0000-4000-8000-000000000002', integrationId: 'telegram', tenantConfigId: published },
        { id: '5107a0e1-0000-4000-8000-000000000003', integrationId: 'slack', tenantConfigId: theirs },
        { id: '5107a0e1-0000-4000-8000-000000000004', integrationId: 'slack', tenantConfigId: MISSING },
      ],
    }), 400, 'VALIDATION_FAILED');
    expect(res.errors).toEqual({
      'integrationSlots[0].tenantConfigId': ['the config has no published revision'],
      'integrationSlots[1].tenantConfigId': ["the config is on 'slack', not 'telegram'"],
      'integrationSlots[2].tenantConfigId': [`'${theirs}' is not an integration config of this tenant`],
      'integrationSlots[3].tenantConfigId': [`'${MISSING}' is not an integration config of this tenant`],
    });
    expect(h.store.snapshot()).toEqual(before);
    expect((await define(h, 'support_bot', { integrationSlots: [{ id: SLOT_ID, integrationId: 'slack', tenantConfigId: published }] })).status).toBe(200);
  });
});

describe('participants and slots', () => {
  it('participant-delete-drops-slot-bindings: deleting a participant unbinds the slots it filled', async () => {
    const h = await makeHarness();
    const person = await participant(h);
    await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${person}`);
    await h.api.put(`/agents/triage_agent/slots/reviewer/binding/${person}`);
    expect((await h.api.delete(`/participants/${person}`)).status).toBe(204);
    expect((await h.api.get('/agents/support_bot/slots')).body[0]).toMatchObject({ bound: false, participantId: null, orphaned: false });
    expect((await h.api.get('/agents/triage_agent/slots')).body[0]).toMatchObject({ bound: false });
    expect(h.store.listSlotBindings('acme')).toEqual([]);
  });
});

describe('GET …/configs/{config}/usage', () => {
  it('config-usage-lists-agents: lists the agents whose current revision has an integration slot on the config', async () => {
    const h = await makeHarness();
    const config = await publishedConfig(h);
    const other = await publishedConfig(h);
    expect((await h.api.get(`${configsPath()}/${config}/usage`)).body).toEqual({ agents: [] });
    await define(h, 'support_bot', { integrationSlots: [{ id: SLOT_ID, integrationId: 'slack', tenantConfigId: config }] });
    await h.api.post('/agents', { id: 'mine' });
    await define(h, 'mine', { integrationSlots: [{ id: SLOT_ID, integrationId: 'slack', tenantConfigId: config.toUpperCase() }] });
    expect((await h.api.get(`${configsPath()}/${config.toUpperCase()}/usage`)).body).toEqual({
      agents: [
        { agentId: 'support_bot', agentDisplayName: 'Support bot', revision: 8 },
        { agentId: 'mine', agentDisplayName: null, revision: 1 },
      ],
    });
    expect((await h.api.get(`${configsPath()}/${other}/usage`)).body).toEqual({ agents: [] });
    // Dropping the slot from the revision drops the agent from the usage.
    await define(h, 'mine', { integrationSlots: [] });
    expect((await h.api.get(`${configsPath()}/${config}/usage`)).body.agents.map((a: { agentId: string }) => a.agentId)).toEqual(['support_bot']);
  });

  it('config-usage-lists-agents: 404 for an unknown config, another tenant\'s config, or the wrong integration', async () => {
    const h = await makeHarness();
    const config = await publishedConfig(h);
    expectProblem(await h.api.get(`${configsPath()}/${MISSING}/usage`), 404, 'NOT_FOUND');
    expectProblem(await h.as('globex').get(`${configsPath()}/${config}/usage`), 404, 'NOT_FOUND');
    expectProblem(await h.api.get(`${configsPath('telegram')}/${config}/usage`), 404, 'NOT_FOUND');
    expectProblem(await h.api.get(`${configsPath('myspace')}/${config}/usage`), 404, 'NOT_FOUND');
  });

  it('usage-includes-pending-delete: an agent pending deletion still uses the config; a purged one does not', async () => {
    const time = { now: T0 };
    const h = await makeHarness({ clock: () => time.now, app: { agentDeleteGraceMs: 100 } });
    const config = await publishedConfig(h);
    await define(h, 'triage_agent', { integrationSlots: [{ id: SLOT_ID, integrationId: 'slack', tenantConfigId: config }] });
    await h.api.delete('/agents/triage_agent');
    expect((await h.api.get(`${configsPath()}/${config}/usage`)).body.agents).toEqual([{ agentId: 'triage_agent', agentDisplayName: 'Triage agent', revision: 4 }]);
    expectProblem(await h.api.delete(`${configsPath()}/${config}`), 400, 'CONFIG_IN_USE');
    time.now += 100;
    expect((await h.api.get(`${configsPath()}/${config}/usage`)).body.agents).toEqual([]);
    expect((await h.api.delete(`${configsPath()}/${config}`)).status).toBe(204);
  });
});

describe('DELETE of a config agents use', () => {
  it('config-delete-refused-while-used: a 400 CONFIG_IN_USE naming the agents, and the config and its revisions stay', async () => {
    const h = await makeHarness();
    const config = await publishedConfig(h);
    await define(h, 'support_bot', { integrationSlots: [{ id: SLOT_ID, integrationId: 'slack', tenantConfigId: config }] });
    const before = h.store.snapshot();
    const res = expectProblem(await h.api.delete(`${configsPath()}/${config}`), 400, 'CONFIG_IN_USE');
    expect(res.detail).toContain("'support_bot'");
    expect(h.store.snapshot()).toEqual(before);
    expect((await h.api.get(`${configsPath()}/${config}/revisions`)).body).toHaveLength(1);
    await define(h, 'support_bot', { integrationSlots: [] });
    expect((await h.api.delete(`${configsPath()}/${config}`)).status).toBe(204);
  });
});
