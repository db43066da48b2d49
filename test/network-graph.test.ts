import { describe, expect, it } from 'vitest';
import { expectProblem, makeHarness, type Harness } from './helpers.js';

type Node = { id: string; kind: string; agentId: string | null; participantId: string | null; slotName: string | null; label: string };
type Edge = { id: string; kind: string; sourceNodeId: string; targetNodeId: string; agentId: string; participantId: string | null; slotName: string | null; bindingId: string | null };
type Graph = { nodes: Node[]; edges: Edge[]; truncated: boolean };

const graph = async (h: Harness, query = ''): Promise<Graph> => {
  const res = await h.api.get(`/network/graph${query}`);
  expect(res.status).toBe(200);
  return res.body as Graph;
};

/** Ada (a person bound to support_bot and filling its escalation slot) and Bots (a group bound to triage_agent). */
async function arrange(h: Harness) {
  const ada = (await h.api.post('/participants', { displayName: 'Ada', agentIds: ['support_bot'] })).body;
  const team = (await h.api.post('/participants', { displayName: 'Bots', kind: 'GROUP', agentIds: ['triage_agent'] })).body;
  const slot = (await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${ada.id}`)).body;
  const binding = h.store.findBinding('acme', ada.id, 'support_bot')!;
  return { ada: ada.id as string, team: team.id as string, slotBinding: slot.id as string, binding: binding.id };
}

describe('GET /network/graph', () => {
  it('network-graph-scoped: the tenant-wide graph holds every live agent and participant, and the mock answers it without writing', async () => {
    const h = await makeHarness();
    const { ada, team } = await arrange(h);
    const lonely = (await h.api.post('/participants', { displayName: 'Nobody wires me' })).body.id;
    const before = h.store.snapshot();
    const g = await graph(h);
    expect(g.truncated).toBe(false);
    expect(g.nodes.filter((n) => n.kind === 'AGENT').map((n) => n.agentId)).toEqual(['support_bot', 'triage_agent', 'digest_writer']);
    expect(g.nodes.filter((n) => n.kind === 'PARTICIPANT').map((n) => n.participantId)).toEqual([ada, team, lonely]);
    expect(h.store.snapshot()).toEqual(before);
  });

  it('network-graph-scoped: agentId scopes it to one agent, its slots and the participants wired to it', async () => {
    const h = await makeHarness();
    const { ada } = await arrange(h);
    const g = await graph(h, '?agentId=support_bot');
    expect(g.nodes.map((n) => n.id)).toEqual([
      'agent:support_bot',
      'slot:support_bot:escalation_manager',
      'slot:support_bot:on_call_team',
      `participant:${ada}`,
    ]);
    expect(g.edges.every((e) => e.agentId === 'support_bot')).toBe(true);
    expect((await graph(h, '?agentId=digest_writer')).nodes.map((n) => n.id)).toEqual(['agent:digest_writer']);
  });

  it('network-graph-scoped: an unknown, deleted or other tenant\'s agentId is a 404', async () => {
    const h = await makeHarness();
    await h.api.post('/agents', { id: 'mine' });
    expectProblem(await h.api.get('/network/graph?agentId=nobody'), 404, 'NOT_FOUND');
    expectProblem(await h.as('globex').get('/network/graph?agentId=mine'), 404, 'NOT_FOUND');
    await h.api.delete('/agents/mine');
    expectProblem(await h.api.get('/network/graph?agentId=mine'), 404, 'NOT_FOUND');
  });

  it('network-graph-kinds: CAN_MESSAGE per participant binding, HAS_SLOT per declared slot, FILLS_SLOT per slot binding', async () => {
    const h = await makeHarness();
    const { ada, slotBinding, binding } = await arrange(h);
    const g = await graph(h, '?agentId=support_bot');
    expect(g.edges).toEqual([
      {
        id: `binding:${binding}`, kind: 'CAN_MESSAGE', sourceNodeId: 'agent:support_bot', targetNodeId: `participant:${ada}`,
        agentId: 'support_bot', participantId: ada, triggerId: null, slotName: null, bindingId: binding, metadata: {},
      },
      {
        id: 'has-slot:support_bot:escalation_manager', kind: 'HAS_SLOT', sourceNodeId: 'agent:support_bot',
        targetNodeId: 'slot:support_bot:escalation_manager', agentId: 'support_bot', participantId: null, triggerId: null,
        slotName: 'escalation_manager', bindingId: null, metadata: {},
      },
      {
        id: `slot-binding:${slotBinding}`, kind: 'FILLS_SLOT', sourceNodeId: `participant:${ada}`,
        targetNodeId: 'slot:support_bot:escalation_manager', agentId: 'support_bot', participantId: ada, triggerId: null,
        slotName: 'escalation_manager', bindingId: slotBinding, metadata: {},
      },
      {
        id: 'has-slot:support_bot:on_call_team', kind: 'HAS_SLOT', sourceNodeId: 'agent:support_bot',
        targetNodeId: 'slot:support_bot:on_call_team', agentId: 'support_bot', participantId: null, triggerId: null,
        slotName: 'on_call_team', bindingId: null, metadata: {},
      },
    ]);
    const agentNode = g.nodes.find((n) => n.kind === 'AGENT')!;
    expect(agentNode).toEqual({
      id: 'agent:support_bot', kind: 'AGENT', label: 'Support bot', agentId: 'support_bot', participantId: null, triggerId: null,
      slotName: null, avatarFileId: 'files/avatars/support-bot.png', metadata: { enabled: true, type: 'CHAT' },
    });
    expect(g.nodes.find((n) => n.kind === 'PARTICIPANT')).toMatchObject({ label: 'Ada', metadata: { kind: 'PERSON', disabled: false } });
    expect(g.nodes.find((n) => n.kind === 'SLOT')).toMatchObject({ label: 'Escalation manager', slotName: 'escalation_manager', metadata: { requiredKind: 'PERSON' } });
  });

  it('network-graph-kinds: an AI_AGENT participant points at its backing agent; orphaned slot bindings have no edge', async () => {
    const h = await makeHarness();
    const bot = (await h.api.post('/participants', { displayName: 'Bot', kind: 'AI_AGENT', relatedAgentId: 'triage_agent' })).body.id;
    await h.api.put(`/agents/triage_agent/slots/reviewer/binding/${bot}`);
    await h.mock.put('/tenants/acme/agents/triage_agent/definition', { slots: [] });
    const g = await graph(h, '?agentId=triage_agent');
    expect(g.edges).toEqual([]);
    expect(g.nodes.map((n) => n.id)).toEqual(['agent:triage_agent']);
    const wide = await graph(h);
    expect(wide.nodes.find((n) => n.participantId === bot)).toMatchObject({ agentId: 'triage_agent', avatarFileId: 'files/avatars/triage.png' });
  });

  it('deleted-agent-references-hidden: a deleted agent leaves the graph with its edges; a deleted participant takes its edges too', async () => {
    const h = await makeHarness();
    const { ada, team } = await arrange(h);
    await h.api.delete('/agents/support_bot');
    let g = await graph(h);
    expect(g.nodes.some((n) => n.agentId === 'support_bot')).toBe(false);
    expect(g.edges.some((e) => e.agentId === 'support_bot')).toBe(false);
    expect(g.nodes.some((n) => n.participantId === ada)).toBe(true);
    await h.api.delete(`/participants/${team}`);
    g = await graph(h);
    expect(g.edges.filter((e) => e.kind !== 'HAS_SLOT')).toEqual([]);
    expect(g.nodes.some((n) => n.participantId === team)).toBe(false);
  });
});
