import type { Check } from './checks.js';
import { CheckSkipped, type CheckContext, type Exchange } from './context.js';

/** The checks of the agents rules (src/resources/agents/rules.ts). */

type Body = Record<string, unknown>;

const bodyOf = (exchange: Exchange): Body => (exchange.body ?? {}) as Body;

/** An agent id of this run: agent ids are lower-case letters, digits and `_` on the real API. */
function agentIdOf(t: CheckContext, what: string): string {
  return `conformance_${t.runId}_${what}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Creates an agent of the run (deleted after it) and expects the documented 201. */
async function createAgent(t: CheckContext, what: string, body: Body = {}): Promise<{ id: string; created: Exchange }> {
  const id = agentIdOf(t, what);
  const created = await t.create('/agents', { id, displayName: t.name(what), ...body }, (a) => `/agents/${String(a.id)}`);
  t.expectStatus(created, 201, 'POST /agents');
  return { id, created };
}

/**
 * Declares what the agent's current revision holds through fruxon-mock's control plane
 * (`PUT /__mock/tenants/{tenant}/agents/{agent}/definition`); elsewhere slots come from a deployed revision,
 * which the checks cannot build, so the check is skipped.
 */
async function define(t: CheckContext, agentId: string, definition: Body): Promise<{ status: number; body: Body }> {
  const url = `${t.target.baseUrl.replace(/\/$/, '')}/__mock/tenants/${encodeURIComponent(t.target.tenant)}/agents/${encodeURIComponent(agentId)}/definition`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...(t.target.controlToken ? { Authorization: `Bearer ${t.target.controlToken}` } : {}) },
      body: JSON.stringify(definition),
    });
  } catch {
    throw new CheckSkipped("declaring an agent's slots needs a deployed revision (or fruxon-mock's control plane)");
  }
  const body = (await response.json().catch(() => ({}))) as Body;
  if (response.status !== 200 && response.status !== 400) throw new CheckSkipped("declaring an agent's slots needs a deployed revision (or fruxon-mock's control plane)");
  return { status: response.status, body };
}

/** A person participant of the run. */
async function person(t: CheckContext, what: string, extra: Body = {}): Promise<string> {
  const created = await t.createParticipant({ displayName: t.name(what), kind: 'PERSON', ...extra });
  t.expectStatus(created, 200, 'creating a participant');
  return String(bodyOf(created).id);
}

const slotsOf = async (t: CheckContext, agentId: string) => {
  const list = await t.call('GET', `/agents/${agentId}/slots`);
  t.expectStatus(list, 200, 'GET slots');
  return { list, rows: (Array.isArray(list.body) ? list.body : []) as Body[] };
};

/** A published config of the run, on the first integration the tenant has. */
async function publishedConfig(t: CheckContext, what: string, publish = true): Promise<{ integrationId: string; configId: string }> {
  const integration = await t.need('integration', () => true);
  const created = await t.createConfig(integration.id, { displayName: t.name(what) });
  t.expectStatus(created, 200, `creating a config on ${integration.id}`);
  const configId = String(bodyOf(created).id);
  if (publish) t.expectStatus(await t.call('POST', `/integrations/${integration.id}/configs/${configId}:publish`, {}), 200, ':publish');
  return { integrationId: integration.id, configId };
}

const SLOT_ID = '0c0f0c0f-0000-4000-8000-00000000c0f1';

/** Runs `body` with an agent whose revision uses the config, and clears that use afterwards so the config can be deleted. */
async function withConfigInUse(t: CheckContext, what: string, body: (agentId: string, config: { integrationId: string; configId: string }) => Promise<void>): Promise<void> {
  const config = await publishedConfig(t, what);
  const { id } = await createAgent(t, what);
  const defined = await define(t, id, { integrationSlots: [{ id: SLOT_ID, integrationId: config.integrationId, tenantConfigId: config.configId }] });
  t.expect(defined.status === 200, 'a definition with an integration slot on a published config should be saved');
  try {
    await body(id, config);
  } finally {
    await define(t, id, { integrationSlots: [] });
  }
}

export const AGENT_CHECKS: readonly Check[] = [
  {
    rule: 'agent-create-201',
    writes: true,
    run: async (t) => {
      const { id, created } = await createAgent(t, 'create');
      t.expect(bodyOf(created).id === id, 'the created agent should carry its id', created);
      t.expectProblem(await t.call('POST', '/agents', { displayName: t.name('no id') }), 400, 'POST /agents without id');
      t.expectProblem(await t.call('POST', '/agents', { id: '' }), 400, 'POST /agents with an empty id');
    },
  },
  {
    rule: 'agent-type-origin-values',
    writes: true,
    run: async (t) => {
      const { created } = await createAgent(t, 'typed', { type: 'CHAT', origin: 'LANG_GRAPH' });
      t.expect(bodyOf(created).type === 'CHAT' && bodyOf(created).origin === 'LANG_GRAPH', 'type and origin should be stored as sent', created);
      const { created: plain } = await createAgent(t, 'native');
      t.expect(bodyOf(plain).origin === 'NATIVE', 'an omitted origin should default to NATIVE', plain);
      t.expectProblem(await t.call('POST', '/agents', { id: agentIdOf(t, 'robot'), type: 'ROBOT' }), 400, 'type ROBOT');
      t.expectProblem(await t.call('POST', '/agents', { id: agentIdOf(t, 'cloud'), origin: 'CLOUD' }), 400, 'origin CLOUD');
    },
  },
  {
    rule: 'agent-list-includes-pending-delete',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'listed');
      t.expectStatus(await t.call('DELETE', `/agents/${id}`), 204, 'DELETE');
      const list = await t.call('GET', '/agents');
      t.expectStatus(list, 200, 'GET /agents');
      t.expect(Array.isArray(list.body), 'the agent list should be a bare array (unpaginated)', list);
      const row = (list.body as Body[]).find((a) => a.id === id);
      t.expect(row !== undefined && typeof row.deletedAt === 'number', 'an agent in its grace period should be listed with deletedAt', list);
    },
  },
  {
    rule: 'agent-get-hides-deleted',
    writes: true,
    run: async (t) => {
      t.expectProblem(await t.call('GET', `/agents/${agentIdOf(t, 'never')}`), 404, 'an agent never created');
      const { id } = await createAgent(t, 'hidden');
      t.expectStatus(await t.call('DELETE', `/agents/${id}`), 204, 'DELETE');
      t.expectProblem(await t.call('GET', `/agents/${id}`), 404, 'GET of an agent pending deletion');
      t.expectProblem(await t.call('PUT', `/agents/${id}`, { displayName: t.name('again') }), 404, 'PUT of an agent pending deletion');
    },
  },
  {
    rule: 'agent-update-patches-metadata',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'patched', { description: 'kept', tags: ['a'] });
      const updated = await t.call('PUT', `/agents/${id}`, { displayName: t.name('renamed') });
      t.expectStatus(updated, 200, 'PUT');
      t.expect(bodyOf(updated).description === 'kept' && JSON.stringify(bodyOf(updated).tags) === '["a"]', 'absent fields should keep their value', updated);
      t.expectProblem(await t.call('PUT', `/agents/${id}`, { origin: 'DIFY' }), 400, 'PUT with origin');
    },
  },
  {
    rule: 'agent-soft-delete',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'deleted');
      t.expectStatus(await t.call('DELETE', `/agents/${id}`), 204, 'DELETE');
      t.expectProblem(await t.call('GET', `/agents/${id}`), 404, 'GET after DELETE');
      t.expectProblem(await t.call('DELETE', `/agents/${id}`), 404, 'a second DELETE');
    },
  },
  {
    rule: 'agent-cancel-delete',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'restored', { description: 'before' });
      t.expectProblem(await t.call('POST', `/agents/${id}:cancelDelete`), 400, ':cancelDelete of a live agent');
      t.expectStatus(await t.call('DELETE', `/agents/${id}`), 204, 'DELETE');
      t.expectStatus(await t.call('POST', `/agents/${id}:cancelDelete`), 204, ':cancelDelete in the grace period');
      const back = await t.call('GET', `/agents/${id}`);
      t.expect(back.status === 200 && bodyOf(back).description === 'before', 'the agent should come back as it was', back);
      t.expectProblem(await t.call('POST', `/agents/${agentIdOf(t, 'never')}:cancelDelete`), 404, ':cancelDelete of an unknown agent');
    },
  },
  {
    rule: 'agent-activate',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'activated');
      // A deployed revision: fruxon-mock's definition stands in for a deploy (skipped elsewhere).
      t.expect((await define(t, id, { slots: [] })).status === 200, 'the definition should be saved');
      const first = await t.call('POST', `/agents/${id}:activate`);
      t.expectStatus(first, 200, ':activate');
      t.expect(bodyOf(first).id === id && bodyOf(first).enabled === true, ':activate should answer the agent, enabled', first);
      const again = await t.call('POST', `/agents/${id}:activate`);
      t.expectStatus(again, 200, 'a second :activate');
      t.expect(JSON.stringify(again.body) === JSON.stringify(first.body), 'a second :activate should answer the current state unchanged', again);
      const read = await t.call('GET', `/agents/${id}`);
      t.expect(bodyOf(read).enabled === true, 'GET should show the agent enabled', read);
    },
  },
  {
    rule: 'agent-activate-needs-deployed-revision',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'undeployed');
      t.expectProblem(await t.call('POST', `/agents/${id}:activate`), 400, ':activate of an agent with no deployed revision');
      const read = await t.call('GET', `/agents/${id}`);
      t.expect(bodyOf(read).enabled === false, 'the refused :activate should leave the agent disabled', read);
    },
  },
  {
    rule: 'agent-deactivate',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'deactivated');
      const idle = await t.call('POST', `/agents/${id}:deactivate`);
      t.expectStatus(idle, 200, ':deactivate of an agent already disabled');
      t.expect(bodyOf(idle).id === id && bodyOf(idle).enabled === false, ':deactivate should answer the agent, disabled', idle);
      t.expect((await define(t, id, { slots: [] })).status === 200, 'the definition should be saved');
      t.expectStatus(await t.call('POST', `/agents/${id}:activate`), 200, ':activate');
      const off = await t.call('POST', `/agents/${id}:deactivate`);
      t.expectStatus(off, 200, ':deactivate');
      t.expect(bodyOf(off).enabled === false && typeof bodyOf(off).currentRevision === 'number' && Number(bodyOf(off).currentRevision) > 0, 'the agent should be disabled with its revision kept', off);
    },
  },
  {
    rule: 'agent-toggle-hides-deleted',
    writes: true,
    run: async (t) => {
      const never = agentIdOf(t, 'never');
      t.expectProblem(await t.call('POST', `/agents/${never}:activate`), 404, ':activate of an unknown agent');
      t.expectProblem(await t.call('POST', `/agents/${never}:deactivate`), 404, ':deactivate of an unknown agent');
      const { id } = await createAgent(t, 'toggled_deleted');
      t.expectStatus(await t.call('DELETE', `/agents/${id}`), 204, 'DELETE');
      t.expectProblem(await t.call('POST', `/agents/${id}:activate`), 404, ':activate of an agent pending deletion');
      t.expectProblem(await t.call('POST', `/agents/${id}:deactivate`), 404, ':deactivate of an agent pending deletion');
    },
  },
  {
    rule: 'agent-slots-list',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'slots');
      await define(t, id, { slots: [{ name: 'approver', requiredKind: 'PERSON' }, { name: 'backup', requiredKind: 'ANY' }] });
      const first = await slotsOf(t, id);
      t.expect(first.rows.length === 2 && first.rows.every((r) => r.bound === false && r.orphaned === false), 'declared slots nobody fills should be bound=false', first.list);
      const participant = await person(t, 'approver');
      t.expectStatus(await t.call('PUT', `/agents/${id}/slots/approver/binding/${participant}`), 200, 'PUT slot binding');
      await define(t, id, { slots: [{ name: 'backup', requiredKind: 'ANY' }] });
      const after = await slotsOf(t, id);
      const stale = after.rows.find((r) => r.name === 'approver');
      t.expect(stale?.orphaned === true && stale.participantId === participant, 'a binding whose slot is no longer declared should be listed as orphaned', after.list);
    },
  },
  {
    rule: 'slot-binding-kind-matches',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'kinds');
      await define(t, id, { slots: [{ name: 'team', requiredKind: 'GROUP' }] });
      const participant = await person(t, 'not a group');
      t.expectProblem(await t.call('PUT', `/agents/${id}/slots/team/binding/${participant}`), 400, 'a PERSON in a GROUP slot');
      t.expectProblem(await t.call('PUT', `/agents/${id}/slots/undeclared/binding/${participant}`), 400, 'a slot the revision does not declare');
      t.expectProblem(await t.call('PUT', `/agents/${id}/slots/team/binding/00000000-0000-4000-8000-00000000c0de`), 404, 'an unknown participant');
    },
  },
  {
    rule: 'slot-rebind-keeps-id',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'rebind');
      await define(t, id, { slots: [{ name: 'owner', requiredKind: 'ANY' }] });
      const first = await t.call('PUT', `/agents/${id}/slots/owner/binding/${await person(t, 'first')}`);
      t.expectStatus(first, 200, 'the first binding');
      const secondParticipant = await person(t, 'second');
      const second = await t.call('PUT', `/agents/${id}/slots/owner/binding/${secondParticipant}`);
      t.expect(second.status === 200 && bodyOf(second).id === bodyOf(first).id && bodyOf(second).participantId === secondParticipant, 'rebinding should keep the binding id', second);
    },
  },
  {
    rule: 'slot-unbind-204',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'unbind');
      await define(t, id, { slots: [{ name: 'owner', requiredKind: 'ANY' }] });
      t.expectStatus(await t.call('PUT', `/agents/${id}/slots/owner/binding/${await person(t, 'owner')}`), 200, 'PUT slot binding');
      t.expectStatus(await t.call('DELETE', `/agents/${id}/slots/owner/binding`), 204, 'DELETE slot binding');
      const { list, rows } = await slotsOf(t, id);
      t.expect(rows.length === 1 && rows[0]!.bound === false, 'the declaration should stay, unbound', list);
      t.expectStatus(await t.call('DELETE', `/agents/${id}/slots/owner/binding`), 204, 'DELETE of a binding that is gone');
    },
  },
  {
    rule: 'network-graph-scoped',
    writes: true,
    run: async (t) => {
      const { id } = await createAgent(t, 'graph');
      const participant = await person(t, 'graph', { agentIds: [id] });
      const scoped = await t.call('GET', `/network/graph?agentId=${encodeURIComponent(id)}`);
      t.expectStatus(scoped, 200, 'the graph of one agent');
      const nodes = (bodyOf(scoped).nodes ?? []) as Body[];
      t.expect(nodes.some((n) => n.agentId === id) && nodes.some((n) => n.participantId === participant), 'the graph should hold the agent and the participant bound to it', scoped);
      t.expect(Array.isArray(bodyOf(scoped).edges) && typeof bodyOf(scoped).truncated === 'boolean', 'the graph should have edges and truncated', scoped);
      t.expectStatus(await t.call('GET', '/network/graph'), 200, 'the tenant-wide graph');
      t.expectProblem(await t.call('GET', `/network/graph?agentId=${agentIdOf(t, 'never')}`), 404, 'the graph of an unknown agent');
    },
  },
  {
    rule: 'integration-slots-checked',
    writes: true,
    run: async (t) => {
      const { integrationId, configId } = await publishedConfig(t, 'unpublished', false);
      const { id } = await createAgent(t, 'integration_slots');
      const slot = { id: SLOT_ID, integrationId, tenantConfigId: configId };
      const refused = await define(t, id, { integrationSlots: [slot] });
      t.expect(refused.status === 400, 'an integration slot on an unpublished config should be refused');
      t.expectStatus(await t.call('POST', `/integrations/${integrationId}/configs/${configId}:publish`, {}), 200, ':publish');
      const saved = await define(t, id, { integrationSlots: [slot] });
      t.expect(saved.status === 200, 'an integration slot on a published config should be saved');
      await define(t, id, { integrationSlots: [] });
    },
  },
  {
    rule: 'config-usage-lists-agents',
    writes: true,
    run: (t) =>
      withConfigInUse(t, 'usage', async (agentId, { integrationId, configId }) => {
        const usage = await t.call('GET', `/integrations/${integrationId}/configs/${configId}/usage`);
        t.expectStatus(usage, 200, 'GET usage');
        const agents = (bodyOf(usage).agents ?? []) as Body[];
        t.expect(agents.some((a) => a.agentId === agentId && typeof a.revision === 'number'), 'usage should list the agent whose revision uses the config', usage);
      }),
  },
  {
    rule: 'config-delete-refused-while-used',
    writes: true,
    run: (t) =>
      withConfigInUse(t, 'in_use', async (_agentId, { integrationId, configId }) => {
        t.expectProblem(await t.call('DELETE', `/integrations/${integrationId}/configs/${configId}`), 400, 'DELETE of a config an agent uses');
        t.expectStatus(await t.call('GET', `/integrations/${integrationId}/configs/${configId}`), 200, 'the config after the refused DELETE');
      }),
  },
];
