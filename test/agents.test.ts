import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseOptions } from '../src/config.js';
import { startMock } from '../src/index.js';
import { startCli } from './cli-process.js';
import { T0, expectProblem, makeHarness } from './helpers.js';
import { inbound, messagingConfig } from './messaging-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A harness whose clock stands still until the test moves it, with a grace period of one second. */
async function clocked() {
  const time = { now: T0 };
  const h = await makeHarness({ clock: () => time.now, app: { agentDeleteGraceMs: 1000 } });
  return { h, time };
}

const ids = (body: { id: string }[]) => body.map((a) => a.id);

describe('POST /agents', () => {
  it('agent-create-201: answers 201 with the new agent, an empty shell nothing is deployed to', async () => {
    const h = await makeHarness();
    const res = await h.api.post('/agents', { id: 'billing_bot', displayName: 'Billing', description: 'Answers invoices', tags: ['billing'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 'billing_bot',
      displayName: 'Billing',
      description: 'Answers invoices',
      avatarFileId: null,
      tags: ['billing'],
      type: 'UNSPECIFIED',
      enabled: false,
      currentRevision: 0,
      createdAt: T0,
      modifiedAt: T0,
      tenantId: expect.stringMatching(UUID),
      solutionId: null,
      deletedAt: null,
      evaluationMetrics: [],
      origin: 'NATIVE',
      externalConfig: null,
      redactLlmMessages: false,
    });
    expect((await h.api.get('/agents/billing_bot')).body).toEqual(res.body);
    expect((await h.api.get('/agents/billing_bot/slots')).body).toEqual([]);
  });

  it.each([
    ['no id', {}, 'id'],
    ['an empty id', { id: '' }, 'id'],
    ['a number id', { id: 5 }, 'id'],
    ['an unknown field', { id: 'x1', slots: [] }, 'slots'],
    ['tags that are not strings', { id: 'x1', tags: [1] }, 'tags[0]'],
  ])('agent-create-201: %s is a 400 naming the field, and stores nothing', async (_what, body, field) => {
    const h = await makeHarness();
    const before = h.store.snapshot();
    const res = expectProblem(await h.api.post('/agents', body), 400, 'VALIDATION_FAILED');
    expect(Object.keys(res.errors as object)).toContain(field);
    expect(h.store.snapshot()).toEqual(before);
  });

  it.each(['UNSPECIFIED', 'SUMMARIZATION', 'RECOMMENDATION', 'ANALYZER', 'CHAT', 'OTHER'])('agent-type-origin-values: type %s is stored as sent', async (type) => {
    const h = await makeHarness();
    expect((await h.api.post('/agents', { id: 'typed', type })).body.type).toBe(type);
  });

  it.each([
    ['UNSPECIFIED', 'NATIVE'],
    ['NATIVE', 'NATIVE'],
    ['LANG_GRAPH', 'LANG_GRAPH'],
    ['CREW_AI', 'CREW_AI'],
    ['OPEN_AI_ASSISTANTS', 'OPEN_AI_ASSISTANTS'],
    ['DIFY', 'DIFY'],
  ])('agent-type-origin-values: origin %s is stored as %s', async (origin, stored) => {
    const h = await makeHarness();
    const res = await h.api.post('/agents', { id: 'external', origin, externalConfig: { parameters: { base_url: 'https://graph.example' } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ origin: stored, externalConfig: { parameters: { base_url: 'https://graph.example' } } });
  });

  it('agent-external-config-as-sent: externalConfig reads back as sent, and a PUT replaces it', async () => {
    const h = await makeHarness();
    const sent = { parameters: { base_url: 'https://graph.example', assistant: 'a1' } };
    expect((await h.api.post('/agents', { id: 'graph_agent', origin: 'LANG_GRAPH', externalConfig: sent })).body.externalConfig).toEqual(sent);
    expect((await h.api.get('/agents/graph_agent')).body.externalConfig).toEqual(sent);
    expect((await h.api.put('/agents/graph_agent', { externalConfig: { parameters: null } })).body.externalConfig).toEqual({ parameters: null });
    expect((await h.api.put('/agents/graph_agent', { externalConfig: null })).body.externalConfig).toEqual({ parameters: null });
    expect((await h.api.post('/agents', { id: 'plain', externalConfig: {} })).body.externalConfig).toEqual({ parameters: null });
  });

  it.each([
    ['type', { type: 'ROBOT' }],
    ['type', { type: 'chat' }],
    ['origin', { origin: 'CLOUD' }],
  ])('agent-type-origin-values: a %s outside the documented values is a 400', async (field, extra) => {
    const h = await makeHarness();
    const res = expectProblem(await h.api.post('/agents', { id: 'bad', ...extra }), 400, 'VALIDATION_FAILED');
    expect(Object.keys(res.errors as object)).toContain(field);
    expectProblem(await h.api.get('/agents/bad'), 404, 'NOT_FOUND');
  });

  it('agent-id-unique: an id the tenant has (fixture, created, or pending deletion) is a 400 naming id', async () => {
    const h = await makeHarness();
    expect((await h.api.post('/agents', { id: 'mine' })).status).toBe(201);
    for (const id of ['mine', 'support_bot']) {
      const before = h.store.snapshot();
      const res = expectProblem(await h.api.post('/agents', { id, displayName: 'again' }), 400, 'VALIDATION_FAILED');
      expect(res.errors).toEqual({ id: ['an agent with this id already exists'] });
      expect(h.store.snapshot()).toEqual(before);
    }
    expect((await h.api.delete('/agents/mine')).status).toBe(204);
    const pending = expectProblem(await h.api.post('/agents', { id: 'mine' }), 400, 'VALIDATION_FAILED');
    expect(pending.detail).toMatch(/pending deletion/);
    // Another tenant has its own ids.
    expect((await h.as('globex').post('/agents', { id: 'mine' })).status).toBe(201);
  });

  it('agent-id-unique: a purged id can be created again, with none of the old agent\'s bindings', async () => {
    const { h, time } = await clocked();
    await h.api.post('/agents', { id: 'phoenix' });
    await h.mock.put('/tenants/acme/agents/phoenix/definition', { slots: [{ name: 'owner' }] });
    const ada = (await h.api.post('/participants', { displayName: 'Ada', agentIds: ['phoenix'] })).body;
    expect((await h.api.put(`/agents/phoenix/slots/owner/binding/${ada.id}`)).status).toBe(200);
    await h.api.delete('/agents/phoenix');
    time.now += 1000;
    const reborn = await h.api.post('/agents', { id: 'phoenix', displayName: 'Reborn' });
    expect(reborn.status).toBe(201);
    expect(reborn.body).toMatchObject({ displayName: 'Reborn', currentRevision: 0, deletedAt: null });
    expect((await h.api.get(`/participants/${ada.id}`)).body.agentIds).toEqual([]);
    expect((await h.api.get('/agents/phoenix/slots')).body).toEqual([]);
    expect(h.store.listBindings('acme')).toEqual([]);
    expect(h.store.listSlotBindings('acme')).toEqual([]);
  });
});

describe('the tenant\'s agents', () => {
  it('agents-tenant-records: every tenant starts with the fixture agents; a write to one is that tenant\'s alone', async () => {
    const h = await makeHarness();
    const fixtures = ['support_bot', 'triage_agent', 'digest_writer'];
    expect(ids((await h.api.get('/agents')).body)).toEqual(fixtures);
    expect(h.store.counts().agents).toBe(0);

    expect((await h.api.put('/agents/support_bot', { displayName: 'Acme support' })).status).toBe(200);
    expect((await h.api.delete('/agents/triage_agent')).status).toBe(204);
    expect((await h.api.post('/agents', { id: 'acme_only' })).status).toBe(201);

    expect((await h.api.get('/agents/support_bot')).body.displayName).toBe('Acme support');
    expect((await h.as('globex').get('/agents/support_bot')).body.displayName).toBe('Support bot');
    expect((await h.as('globex').get('/agents/triage_agent')).status).toBe(200);
    expectProblem(await h.as('globex').get('/agents/acme_only'), 404, 'NOT_FOUND');
    expect(ids((await h.as('globex').get('/agents')).body)).toEqual(fixtures);
    expect(ids((await h.api.get('/agents')).body)).toEqual([...fixtures, 'acme_only']);

    // A tenant reset brings the fixtures back.
    expect((await h.mock.post('/reset?tenant=acme')).status).toBe(204);
    expect((await h.api.get('/agents/support_bot')).body.displayName).toBe('Support bot');
    expect(ids((await h.api.get('/agents')).body)).toEqual(fixtures);
  });

  it('agent-list-includes-pending-delete: the list is a bare array that shows a deleted agent with deletedAt until the purge', async () => {
    const { h, time } = await clocked();
    await h.api.post('/agents', { id: 'first' });
    await h.api.post('/agents', { id: 'second' });
    time.now += 10;
    await h.api.delete('/agents/first');
    const listed = (await h.api.get('/agents')).body as { id: string; deletedAt: number | null }[];
    expect(Array.isArray(listed)).toBe(true);
    expect(listed.slice(3).map((a) => [a.id, a.deletedAt])).toEqual([['first', T0 + 10], ['second', null]]);
    time.now += 1000;
    expect(ids((await h.api.get('/agents')).body).slice(3)).toEqual(['second']);
  });

  it('agent-list-every-caller-admin: whoever calls sees every agent of the tenant', async () => {
    const h = await makeHarness();
    await h.api.post('/agents', { id: 'made_by_ada' }).set('Authorization', 'Bearer ada-token');
    const asBo = await h.api.get('/agents').set('Authorization', 'Bearer bo-token');
    expect(ids(asBo.body)).toEqual(['support_bot', 'triage_agent', 'digest_writer', 'made_by_ada']);
  });

  it('agent-get-hides-deleted: get, update and delete answer 404 for an unknown, a pending and a purged agent', async () => {
    const { h, time } = await clocked();
    await h.api.post('/agents', { id: 'pending' });
    await h.api.post('/agents', { id: 'purged' });
    await h.api.delete('/agents/purged');
    time.now += 1000;
    await h.api.delete('/agents/pending');
    for (const id of ['never', 'pending', 'purged']) {
      expectProblem(await h.api.get(`/agents/${id}`), 404, 'NOT_FOUND');
      expectProblem(await h.api.put(`/agents/${id}`, { displayName: 'x' }), 404, 'NOT_FOUND');
      expectProblem(await h.api.delete(`/agents/${id}`), 404, 'NOT_FOUND');
      expectProblem(await h.api.get(`/agents/${id}/slots`), 404, 'NOT_FOUND');
    }
    expectProblem(await h.as('globex').get('/agents/pending'), 404, 'NOT_FOUND');
  });
});

describe('PUT /agents/{agent}', () => {
  it('agent-update-patches-metadata: null and absent fields keep their value, tags replace, UNSPECIFIED keeps the type', async () => {
    const { h, time } = await clocked();
    await h.api.post('/agents', { id: 'patchy', displayName: 'Patchy', description: 'kept', tags: ['a', 'b'], type: 'CHAT', avatarFileId: 'files/p.png' });
    time.now += 5;
    const res = await h.api.put('/agents/patchy', { displayName: null, tags: ['c'], type: 'UNSPECIFIED', externalConfig: { parameters: { k: 'v' } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      displayName: 'Patchy', description: 'kept', tags: ['c'], type: 'CHAT', avatarFileId: 'files/p.png',
      externalConfig: { parameters: { k: 'v' } }, origin: 'NATIVE', createdAt: T0, modifiedAt: T0 + 5, currentRevision: 0,
    });
    expect((await h.api.put('/agents/patchy', { type: 'OTHER' })).body.type).toBe('OTHER');
    expect((await h.api.put('/agents/patchy', {})).body.tags).toEqual(['c']);
  });

  it.each([['id', { id: 'renamed' }], ['origin', { origin: 'DIFY' }], ['type', { type: 'BOT' }]])(
    'agent-update-patches-metadata: %s in the body is a 400 that changes nothing',
    async (field, body) => {
      const h = await makeHarness();
      const before = h.store.snapshot();
      const res = expectProblem(await h.api.put('/agents/support_bot', body), 400, 'VALIDATION_FAILED');
      expect(Object.keys(res.errors as object)).toContain(field);
      expect(h.store.snapshot()).toEqual(before);
    },
  );

  it('agent-update-patches-metadata: an update leaves the slots and the revision alone', async () => {
    const h = await makeHarness();
    const slots = (await h.api.get('/agents/support_bot/slots')).body;
    const res = await h.api.put('/agents/support_bot', { description: 'new words' });
    expect(res.body).toMatchObject({ description: 'new words', currentRevision: 7, enabled: true });
    expect((await h.api.get('/agents/support_bot/slots')).body).toEqual(slots);
  });
});

describe('deleting an agent', () => {
  it('agent-soft-delete: 204, then hidden from get at once, and a second delete is a 404', async () => {
    const h = await makeHarness();
    expect((await h.api.delete('/agents/digest_writer')).status).toBe(204);
    expectProblem(await h.api.get('/agents/digest_writer'), 404, 'NOT_FOUND');
    expectProblem(await h.api.delete('/agents/digest_writer'), 404, 'NOT_FOUND');
    expect((await h.api.get('/agents')).body.find((a: { id: string }) => a.id === 'digest_writer').deletedAt).toEqual(expect.any(Number));
  });

  it('agent-cancel-delete: restores the agent as it was, with its bindings and slots', async () => {
    const h = await makeHarness();
    const ada = (await h.api.post('/participants', { displayName: 'Ada', agentIds: ['support_bot'] })).body;
    expect((await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${ada.id}`)).status).toBe(200);
    const before = (await h.api.get('/agents/support_bot')).body;
    const slots = (await h.api.get('/agents/support_bot/slots')).body;
    await h.api.delete('/agents/support_bot');
    const restored = await h.api.post('/agents/support_bot:cancelDelete');
    expect(restored.status).toBe(204);
    expect(restored.text).toBe('');
    expect((await h.api.get('/agents/support_bot')).body).toEqual(before);
    expect((await h.api.get('/agents/support_bot/slots')).body).toEqual(slots);
    expect((await h.api.get(`/participants/${ada.id}`)).body.agentIds).toEqual(['support_bot']);
  });

  it('agent-cancel-delete: 400 for a live agent, 404 once purged or for an id never used, and changes nothing', async () => {
    const { h, time } = await clocked();
    const before = h.store.snapshot();
    expectProblem(await h.api.post('/agents/support_bot:cancelDelete'), 400, 'AGENT_NOT_PENDING_DELETE');
    expectProblem(await h.api.post('/agents/never_was:cancelDelete'), 404, 'NOT_FOUND');
    expect(h.store.snapshot()).toEqual(before);
    await h.api.delete('/agents/support_bot');
    time.now += 999;
    expect((await h.api.post('/agents/support_bot:cancelDelete')).status).toBe(204);
    await h.api.delete('/agents/support_bot');
    time.now += 1000;
    expectProblem(await h.api.post('/agents/support_bot:cancelDelete'), 404, 'NOT_FOUND');
    expectProblem(await h.api.get('/agents/support_bot'), 404, 'NOT_FOUND');
    // The purged fixture agent stays purged in this tenant only.
    expect((await h.as('globex').get('/agents/support_bot')).status).toBe(200);
  });

  it('agent-delete-grace-option: the grace period is an option of the server, on the mock\'s clock', async () => {
    expect(DEFAULTS.agentDeleteGrace).toBe(7 * 24 * 60 * 60 * 1000);
    const parsed = parseOptions(['--agent-delete-grace', '2500'], {});
    expect(typeof parsed === 'object' && parsed.agentDeleteGrace).toBe(2500);
    expect(() => parseOptions(['--agent-delete-grace', 'soon'], {})).toThrow(/--agent-delete-grace must be a whole number/);

    const { h, time } = await clocked();
    await h.api.delete('/agents/triage_agent');
    time.now += 999;
    expect(ids((await h.api.get('/agents')).body)).toContain('triage_agent');
    time.now += 1;
    expect(ids((await h.api.get('/agents')).body)).not.toContain('triage_agent');
  });

  it('agent-delete-grace-option: the CLI takes --agent-delete-grace and says what it is at start', async () => {
    const cli = startCli(['--port', '0', '--in-memory', '--agent-delete-grace', '60000']);
    try {
      const url = await cli.url;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cli.output()).toContain('a deleted agent can be restored for 60000 ms');
      const headers = { Authorization: 'Bearer t' };
      expect((await fetch(`${url}/v1/tenants/acme/agents/digest_writer`, { method: 'DELETE', headers })).status).toBe(204);
      expect((await fetch(`${url}/v1/tenants/acme/agents/digest_writer:cancelDelete`, { method: 'POST', headers })).status).toBe(204);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('agent-delete-grace-option: startMock takes agentDeleteGrace, and --time drives the purge', async () => {
    const mock = await startMock({ agentDeleteGrace: 0, time: T0 });
    try {
      const call = (method: string, path: string) =>
        fetch(`${mock.url}/v1/tenants/acme${path}`, { method, headers: { Authorization: 'Bearer t' } });
      expect((await call('DELETE', '/agents/digest_writer')).status).toBe(204);
      // With no grace the agent is purged at once: nothing to restore.
      expect((await call('POST', '/agents/digest_writer:cancelDelete')).status).toBe(404);
    } finally {
      await mock.close();
    }
  });
});

describe('what points at a deleted agent', () => {
  it('deleted-agent-references-hidden: bindings of a deleted agent leave participant reads, the roster and the agentId filter', async () => {
    const h = await makeHarness();
    await h.api.post('/agents', { id: 'helper', avatarFileId: 'files/helper.png' });
    const twilio = (await h.api.post('/integrations/twilio/configs', { displayName: 'sms' })).body;
    const ada = (await h.api.post('/participants', {
      displayName: 'Ada',
      kind: 'AI_AGENT',
      relatedAgentId: 'helper',
      channels: [{ integrationConfigId: twilio.id, address: '+14155550123' }],
      agentIds: ['helper', 'support_bot'],
    })).body;
    expect(ada.agentIds).toEqual(['helper', 'support_bot']);
    expect(ada.avatarFileId).toBe('files/helper.png');
    expect(ada.channelActivations.map((a: { agentId: string }) => a.agentId)).toEqual(['helper', 'support_bot']);

    await h.api.delete('/agents/helper');
    const read = (await h.api.get(`/participants/${ada.id}`)).body;
    expect(read.agentIds).toEqual(['support_bot']);
    expect(read.avatarFileId).toBeNull();
    expect(read.channelActivations.map((a: { agentId: string }) => a.agentId)).toEqual(['support_bot']);
    expect((await h.api.get('/participants?agentId=helper')).body).toEqual([]);
    expectProblem(await h.api.get('/participants/consultRoster?agentId=helper'), 404, 'NOT_FOUND');
    expectProblem(await h.api.put(`/participants/${ada.id}/bindings/helper`), 404, 'NOT_FOUND');
    expectProblem(await h.api.patch(`/participants/${ada.id}/bindings/helper/roster`, { roles: ['x'] }), 404, 'NOT_FOUND');
    expectProblem(await h.api.post('/participants', { displayName: 'Bo', agentIds: ['helper'] }), 400, 'INVALID_REFERENCE');
    expect((await h.api.get('/network/graph')).body.edges.some((e: { agentId: string }) => e.agentId === 'helper')).toBe(false);

    // Sending the read back works (the backing agent is kept though deleted) and reconciles only what it shows:
    // the hidden binding survives for :cancelDelete.
    expect(read.relatedAgentId).toBe('helper');
    expect((await h.api.patch(`/participants/${ada.id}`, { agentIds: read.agentIds, relatedAgentId: read.relatedAgentId })).status).toBe(200);
    expectProblem(await h.api.post('/participants', { displayName: 'Cy', kind: 'AI_AGENT', relatedAgentId: 'helper' }), 400, 'INVALID_REFERENCE');
    expect((await h.api.post('/agents/helper:cancelDelete')).status).toBe(204);
    const back = (await h.api.get(`/participants/${ada.id}`)).body;
    expect(back.agentIds).toEqual(['helper', 'support_bot']);
    expect(back.avatarFileId).toBe('files/helper.png');
  });
});

describe('activating and deactivating an agent', () => {
  it('agent-activate: 200 with the agent enabled, stored as the tenant\'s copy; another tenant keeps the fixture', async () => {
    const h = await makeHarness();
    const before = (await h.api.get('/agents/digest_writer')).body;
    expect(before.enabled).toBe(false);
    const res = await h.api.post('/agents/digest_writer:activate');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...before, enabled: true, modifiedAt: expect.any(Number) });
    expect((await h.api.get('/agents/digest_writer')).body).toEqual(res.body);
    expect(h.store.findAgent('acme', 'digest_writer')?.enabled).toBe(true);
    expect((await h.as('globex').get('/agents/digest_writer')).body.enabled).toBe(false);
  });

  it('agent-activate: on an agent already enabled it answers the current state and changes nothing', async () => {
    const h = await makeHarness();
    const current = (await h.api.get('/agents/support_bot')).body;
    const before = h.store.snapshot();
    for (let i = 0; i < 2; i++) {
      const res = await h.api.post('/agents/support_bot:activate');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(current);
    }
    expect(h.store.snapshot()).toEqual(before);
  });

  it('agent-activate-needs-deployed-revision: a created agent (currentRevision 0) is a 400 AGENT_NOT_DEPLOYED that changes nothing, until a definition deploys one', async () => {
    const h = await makeHarness();
    expect((await h.api.post('/agents', { id: 'fresh_bot' })).status).toBe(201);
    const before = h.store.snapshot();
    expectProblem(await h.api.post('/agents/fresh_bot:activate'), 400, 'AGENT_NOT_DEPLOYED');
    expect(h.store.snapshot()).toEqual(before);
    expect((await h.api.get('/agents/fresh_bot')).body.enabled).toBe(false);
    expect((await h.mock.put('/tenants/acme/agents/fresh_bot/definition', { slots: [] })).status).toBe(200);
    const res = await h.api.post('/agents/fresh_bot:activate');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: true, currentRevision: 1 });
  });

  it('agent-deactivate: 200 with the agent disabled, revision and slots kept; idempotent; :activate re-enables it', async () => {
    const h = await makeHarness();
    const before = (await h.api.get('/agents/support_bot')).body;
    const slots = (await h.api.get('/agents/support_bot/slots')).body;
    const res = await h.api.post('/agents/support_bot:deactivate');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...before, enabled: false, modifiedAt: expect.any(Number) });
    expect(h.store.findAgent('acme', 'support_bot')?.enabled).toBe(false);
    expect((await h.api.get('/agents/support_bot/slots')).body).toEqual(slots);
    const stored = h.store.snapshot();
    const again = await h.api.post('/agents/support_bot:deactivate');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(h.store.snapshot()).toEqual(stored);
    expect((await h.as('globex').get('/agents/support_bot')).body.enabled).toBe(true);
    expect((await h.api.post('/agents/support_bot:activate')).body.enabled).toBe(true);
  });

  it('agent-deactivate: an agent with no revision can be deactivated (it is already disabled: nothing changes)', async () => {
    const h = await makeHarness();
    const created = (await h.api.post('/agents', { id: 'fresh_bot' })).body;
    const before = h.store.snapshot();
    const res = await h.api.post('/agents/fresh_bot:deactivate');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect(h.store.snapshot()).toEqual(before);
  });

  it.each(['activate', 'deactivate'])('agent-toggle-hides-deleted: :%s of an unknown, pending-delete or purged agent is a 404 that changes nothing', async (verb) => {
    const { h, time } = await clocked();
    expectProblem(await h.api.post(`/agents/never_was:${verb}`), 404, 'NOT_FOUND');
    await h.api.delete('/agents/support_bot');
    await h.api.delete('/agents/digest_writer');
    const before = h.store.snapshot();
    expectProblem(await h.api.post(`/agents/support_bot:${verb}`), 404, 'NOT_FOUND');
    expectProblem(await h.api.post(`/agents/digest_writer:${verb}`), 404, 'NOT_FOUND');
    expect(h.store.snapshot()).toEqual(before);
    time.now += 1000;
    expectProblem(await h.api.post(`/agents/support_bot:${verb}`), 404, 'NOT_FOUND');
    expect(h.store.snapshot()).toEqual(before);
    // Another tenant's copy of the fixture was never deleted.
    expect((await h.as('globex').post(`/agents/digest_writer:${verb}`)).status).toBe(200);
  });

  it('agent-toggle-modified-at: a flip sets modifiedAt to the clock, an idempotent call leaves it', async () => {
    const { h, time } = await clocked();
    time.now += 5000;
    const on = (await h.api.post('/agents/digest_writer:activate')).body;
    expect(on.modifiedAt).toBe(T0 + 5000);
    time.now += 5000;
    expect((await h.api.post('/agents/digest_writer:activate')).body.modifiedAt).toBe(T0 + 5000);
    const off = (await h.api.post('/agents/digest_writer:deactivate')).body;
    expect(off.modifiedAt).toBe(T0 + 10000);
    time.now += 5000;
    expect((await h.api.post('/agents/digest_writer:deactivate')).body.modifiedAt).toBe(T0 + 10000);
  });

  it('agent-enabled-not-enforced: a deactivated agent is still listed, bound, in the graph, and inbound messages still reach it', async () => {
    const h = await makeHarness();
    expect((await h.api.post('/agents/support_bot:deactivate')).status).toBe(200);
    const config = await messagingConfig(h, 'telegram');
    const ada = (await h.api.post('/participants', { displayName: 'Ada', channels: [{ integrationConfigId: config, address: '555000111' }] })).body;
    expect((await h.api.put(`/participants/${ada.id}/bindings/support_bot`)).status).toBe(200);
    expect((await h.api.put(`/agents/support_bot/slots/escalation_manager/binding/${ada.id}`)).status).toBe(200);
    expect(ids((await h.api.get('/agents')).body)).toContain('support_bot');
    const graph = (await h.api.get('/network/graph?agentId=support_bot')).body;
    expect(graph.nodes.find((n: { id: string }) => n.id === 'agent:support_bot').metadata.enabled).toBe(false);
    const outcome = await inbound(h, { integrationConfigId: config, address: '555000111' });
    expect(outcome.delivered).toEqual([{ agentId: 'support_bot', participantId: ada.id }]);
  });
});
