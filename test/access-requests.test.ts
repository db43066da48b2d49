import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';
import { inbound, messagingConfig } from './messaging-helpers.js';
import { NEVER_ISSUED, P, createParticipant } from './participant-helpers.js';

const AR = '/participantAccessRequests';
const approve = (h: Harness, id: string, body?: Record<string, unknown>) => h.api.post(`${AR}/${id}:approve`, body);
const reject = (h: Harness, id: string, body?: Record<string, unknown>) => h.api.post(`${AR}/${id}:reject`, body);

async function setUp() {
  const h = await makeHarness();
  const config = await messagingConfig(h, 'telegram');
  return { h, config };
}

/** A pending request from chat 555000111 to support_bot. */
async function pending(h: Harness, config: string, extra: Record<string, unknown> = {}) {
  const out = await inbound(h, { integrationConfigId: config, address: '555000111', displayName: 'Grace Hopper', ...extra });
  expect(out.accessRequests).toHaveLength(1);
  return out.accessRequests[0]! as Record<string, unknown> & { id: string };
}

describe('inbound messages', () => {
  it('inbound-opens-access-request: an unknown sender opens a PENDING request with the sender\'s channel', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config, { conversationName: 'Ops' });
    expect(row).toEqual({
      id: expect.any(String),
      integrationConfigId: config,
      provider: 'telegram',
      address: '555000111',
      agentId: 'support_bot',
      matchedParticipantId: null,
      displayName: 'Grace Hopper',
      conversationName: 'Ops',
      status: 'PENDING',
      processedBy: null,
      processedAt: null,
      processingNote: null,
      approvedParticipantId: null,
      createdAt: expect.any(Number),
      modifiedAt: expect.any(Number),
    });
    const got = await h.api.get(`${AR}/${row.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(row);
  });

  it('inbound-opens-access-request: a sender a bound participant has is delivered; one with an unbound participant is matched', async () => {
    const { h, config } = await setUp();
    const bound = await createParticipant(h, { displayName: 'Bound', channels: [{ integrationConfigId: config, address: '555000111' }], agentIds: ['support_bot'] });
    const delivered = await inbound(h, { integrationConfigId: config, address: '555000111' });
    expect(delivered).toEqual({ delivered: [{ agentId: 'support_bot', participantId: bound.id }], accessRequests: [] });
    const other = await inbound(h, { integrationConfigId: config, address: '555000111', agentId: 'triage_agent' });
    expect(other.accessRequests[0]).toMatchObject({ agentId: 'triage_agent', matchedParticipantId: bound.id, status: 'PENDING' });
  });

  it('inbound-skips-disabled-participants: a disabled participant is not matched, so its sender opens a request', async () => {
    const { h, config } = await setUp();
    const p = await createParticipant(h, { displayName: 'Off', channels: [{ integrationConfigId: config, address: '555000111' }], agentIds: ['support_bot'] });
    await h.api.post(`${P}/${p.id}:disable`);
    const out = await inbound(h, { integrationConfigId: config, address: '555000111' });
    expect(out.delivered).toEqual([]);
    expect(out.accessRequests[0]).toMatchObject({ matchedParticipantId: null, status: 'PENDING' });
  });

  it('access-request-pending-reused: more messages while a request is pending add no row', async () => {
    const { h, config } = await setUp();
    const first = await pending(h, config);
    const second = await pending(h, config);
    expect(second.id).toBe(first.id);
    expect((await h.api.get(AR)).body).toHaveLength(1);
  });

  it('inbound-control-checked: an unknown config is a 404, an unknown agent or a missing field a 400, and nothing is stored', async () => {
    const { h, config } = await setUp();
    const before = JSON.stringify(h.store.snapshot());
    expectProblem(await h.mock.post('/inbound-messages', { tenant: 'acme', agentId: 'support_bot', integrationConfigId: NEVER_ISSUED, address: '1' }), 404);
    expectProblem(await h.mock.post('/inbound-messages', { tenant: 'globex', agentId: 'support_bot', integrationConfigId: config, address: '1' }), 404);
    expectProblem(await h.mock.post('/inbound-messages', { tenant: 'acme', agentId: 'nobody', integrationConfigId: config, address: '1' }), 400);
    expectProblem(await h.mock.post('/inbound-messages', { tenant: 'acme', integrationConfigId: config, address: '1' }), 400);
    expect(JSON.stringify(h.store.snapshot())).toBe(before);
  });
});

describe('the webhook URL', () => {
  /** Mints the config's webhook URL and returns its path on the mock. */
  async function webhookPath(h: Harness, integration: string, config: string): Promise<string> {
    const minted = await h.api.post(`${configsPath(integration)}/${config}:generateWebhookUrl`);
    expect(minted.status).toBe(200);
    return new URL(minted.body.webhookUrl as string).pathname;
  }

  it('inbound-webhook-url: a Telegram update posted to the minted URL (no bearer token) opens a request', async () => {
    const { h, config } = await setUp();
    const path = await webhookPath(h, 'telegram', config);
    const update = { update_id: 1, message: { message_id: 7, from: { id: 555000111, first_name: 'Grace', last_name: 'Hopper' }, chat: { id: 555000111, type: 'private' }, text: 'hi' } };
    const res = await request(h.app).post(`${path}?agentId=support_bot`).send(update);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.accessRequests[0]).toMatchObject({ address: '555000111', displayName: 'Grace Hopper', conversationName: null, agentId: 'support_bot' });
    const group = { update_id: 2, message: { message_id: 8, from: { id: 1, first_name: 'Ada' }, chat: { id: -1001234567890, type: 'supergroup', title: 'Ops' }, text: 'hi' } };
    const fromGroup = await request(h.app).post(`${path}?agentId=support_bot`).send(group);
    expect(fromGroup.body.accessRequests[0]).toMatchObject({ address: '-1001234567890', displayName: 'Ada', conversationName: 'Ops' });
  });

  it('inbound-webhook-url: a Slack event is a message from its user; a url_verification gets its challenge back', async () => {
    const h = await makeHarness();
    const slack = await messagingConfig(h, 'slack');
    const path = await webhookPath(h, 'slack', slack);
    expect((await request(h.app).post(path).send({ type: 'url_verification', challenge: 'abc' })).body).toEqual({ challenge: 'abc' });
    const event = { type: 'event_callback', event: { type: 'message', user: 'U0123456789', channel: 'C0123456789', text: 'hi', user_profile: { real_name: 'Ada L' } } };
    const res = await request(h.app).post(`${path}?agentId=triage_agent`).send(event);
    expect(res.body.accessRequests[0]).toMatchObject({ provider: 'slack', address: 'U0123456789', displayName: 'Ada L', conversationName: 'C0123456789', agentId: 'triage_agent' });
  });

  it('inbound-webhook-url: a rotated-away or unknown key is a 404; a payload that is not a message a 400', async () => {
    const { h, config } = await setUp();
    const path = await webhookPath(h, 'telegram', config);
    expectProblem(await request(h.app).post(`${path}?agentId=support_bot`).send({ update_id: 1 }), 400);
    await h.api.post(`${configsPath('telegram')}/${config}/webhook:rotate`);
    expectProblem(await request(h.app).post(`${path}?agentId=support_bot`).send({ message: { chat: { id: 1 } } }), 404);
    expectProblem(await request(h.app).post('/v1/webhooks/telegram/whk_nope').send({}), 404);
  });

  it('inbound-agent-resolution: without ?agentId the message goes to every agent bound to a participant on the config', async () => {
    const { h, config } = await setUp();
    const path = await webhookPath(h, 'telegram', config);
    const update = { message: { from: { id: 9, first_name: 'New' }, chat: { id: 999000111, type: 'private' } } };
    expect((await request(h.app).post(path).send(update)).body).toEqual({ ok: true, delivered: [], accessRequests: [] });
    await createParticipant(h, { displayName: 'Known', channels: [{ integrationConfigId: config, address: '123456789' }], agentIds: ['support_bot', 'triage_agent'] });
    const res = await request(h.app).post(path).send(update);
    expect(res.body.accessRequests.map((r: { agentId: string }) => r.agentId)).toEqual(['support_bot', 'triage_agent']);
  });
});

describe('listing and reading', () => {
  it('access-request-list-filters: AgentId, Status and ParticipantId (matched or approved) narrow the list, in any case', async () => {
    const { h, config } = await setUp();
    const a = await pending(h, config, { address: '100000001' });
    const b = await pending(h, config, { address: '100000002', agentId: 'triage_agent' });
    const known = await createParticipant(h, { displayName: 'K', channels: [{ integrationConfigId: config, address: '100000003' }] });
    const c = await pending(h, config, { address: '100000003' });
    expect(c.matchedParticipantId).toBe(known.id);
    const approved = (await approve(h, a.id, { mode: 'CREATE_NEW' })).body;
    const ids = async (query: string) => ((await h.api.get(`${AR}${query}`)).body as { id: string }[]).map((r) => r.id);
    expect(await ids('')).toEqual([a.id, b.id, c.id]);
    expect(await ids('?AgentId=triage_agent')).toEqual([b.id]);
    expect(await ids('?agentid=support_bot')).toEqual([a.id, c.id]);
    expect(await ids('?Status=PENDING')).toEqual([b.id, c.id]);
    expect(await ids('?Status=APPROVED')).toEqual([a.id]);
    expect(await ids('?Status=UNSPECIFIED')).toEqual([a.id, b.id, c.id]);
    expect(await ids(`?ParticipantId=${known.id}`)).toEqual([c.id]);
    expect(await ids(`?ParticipantId=${approved.approvedParticipantId}`)).toEqual([a.id]);
    expect(await ids('?Status=PENDING&AgentId=support_bot')).toEqual([c.id]);
    expectProblem(await h.api.get(`${AR}?Status=LOST`), 400);
    expect((await h.as('globex').get(AR)).body).toEqual([]);
  });

  it('access-request-unknown-404: an unknown id, or another tenant\'s, is a 404 on get, approve and reject', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    expectProblem(await h.api.get(`${AR}/${NEVER_ISSUED}`), 404);
    expectProblem(await h.as('globex').get(`${AR}/${row.id}`), 404);
    expectProblem(await h.as('globex').post(`${AR}/${row.id}:approve`, { mode: 'CREATE_NEW' }), 404);
    expectProblem(await h.as('globex').post(`${AR}/${row.id}:reject`, {}), 404);
    expect((await h.api.get(`${AR}/${row.id.toUpperCase()}`)).status).toBe(200);
  });
});

describe(':approve', () => {
  it('access-request-approve-modes: CREATE_NEW makes a PERSON with the request\'s channel, bound to its agent', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    const res = await approve(h, row.id, { mode: 'CREATE_NEW', note: 'welcome' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'APPROVED', processedBy: expect.any(String), processedAt: expect.any(Number), processingNote: 'welcome' });
    const p = (await h.api.get(`${P}/${res.body.approvedParticipantId}`)).body;
    expect(p).toMatchObject({ kind: 'PERSON', displayName: 'Grace Hopper', agentIds: ['support_bot'] });
    expect(p.channels).toEqual([{ integrationConfigId: config, address: '555000111', priority: 0, label: null, disabled: false }]);
    // The new participant is reachable: the walkthrough's last step.
    expect((await h.api.post(`${P}/${p.id}:send`, { message: 'hello' })).body).toEqual({ outcome: 'SENT' });
  });

  it('access-request-approve-modes: CREATE_NEW names the participant by displayName, else the sender, else the address', async () => {
    const { h, config } = await setUp();
    const named = await pending(h, config, { address: '100000001' });
    const sender = await pending(h, config, { address: '100000002' });
    const bare = await pending(h, config, { address: '100000003', displayName: null });
    const nameOf = async (id: string, body: Record<string, unknown>) =>
      (await h.api.get(`${P}/${(await approve(h, id, body)).body.approvedParticipantId}`)).body.displayName;
    expect(await nameOf(named.id, { mode: 'CREATE_NEW', displayName: 'Amazing Grace' })).toBe('Amazing Grace');
    expect(await nameOf(sender.id, { mode: 'CREATE_NEW' })).toBe('Grace Hopper');
    expect(await nameOf(bare.id, { mode: 'CREATE_NEW' })).toBe('100000003');
  });

  it('access-request-approve-modes: ADD_TO_EXISTING appends the channel to participantId and binds it', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    const p = await createParticipant(h, { displayName: 'Grace', channels: [{ address: 'grace@example.com' }] });
    const res = await approve(h, row.id, { mode: 'ADD_TO_EXISTING', participantId: p.id });
    expect(res.body).toMatchObject({ status: 'APPROVED', approvedParticipantId: p.id });
    const after = (await h.api.get(`${P}/${p.id}`)).body;
    expect(after.agentIds).toEqual(['support_bot']);
    expect(after.channels.map((c: { address: string }) => c.address)).toEqual(['grace@example.com', '555000111']);
  });

  it('access-request-approve-modes: BIND_ONLY binds the matched participant and adds no channel', async () => {
    const { h, config } = await setUp();
    const p = await createParticipant(h, { displayName: 'Known', channels: [{ integrationConfigId: config, address: '555000111' }] });
    const row = await pending(h, config);
    expect(row.matchedParticipantId).toBe(p.id);
    const res = await approve(h, row.id, { mode: 'BIND_ONLY', participantId: NEVER_ISSUED });
    expect(res.body).toMatchObject({ status: 'APPROVED', approvedParticipantId: p.id });
    const after = (await h.api.get(`${P}/${p.id}`)).body;
    expect(after.agentIds).toEqual(['support_bot']);
    expect(after.channels).toHaveLength(1);
    // The sender is now delivered to.
    expect((await inbound(h, { integrationConfigId: config, address: '555000111' })).delivered).toEqual([{ agentId: 'support_bot', participantId: p.id }]);
  });

  it('access-request-mode-fields: ADD_TO_EXISTING without participantId, and BIND_ONLY without a match, are 400s that change nothing', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    const before = JSON.stringify(h.store.snapshot());
    const add = expectProblem(await approve(h, row.id, { mode: 'ADD_TO_EXISTING' }), 400, 'VALIDATION_FAILED');
    expect(add.errors).toHaveProperty('participantId');
    expectProblem(await approve(h, row.id, { mode: 'ADD_TO_EXISTING', participantId: NEVER_ISSUED }), 400, 'INVALID_REFERENCE');
    expectProblem(await approve(h, row.id, { mode: 'BIND_ONLY' }), 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(h.store.snapshot())).toBe(before);
  });

  it('access-request-mode-required: an omitted or UNSPECIFIED mode is a 400; an unknown one or field too', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    for (const body of [undefined, {}, { mode: 'UNSPECIFIED' }, { mode: 'MERGE' }, { mode: 'CREATE_NEW', colour: 'teal' }, { mode: 'CREATE_NEW', displayName: 'x'.repeat(151) }]) {
      expectProblem(await approve(h, row.id, body), 400);
    }
    expect((await h.api.get(`${AR}/${row.id}`)).body.status).toBe('PENDING');
  });

  it('access-request-needs-pending: approving or rejecting a decided request is a 400', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    expect((await approve(h, row.id, { mode: 'CREATE_NEW' })).status).toBe(200);
    expectProblem(await approve(h, row.id, { mode: 'CREATE_NEW' }), 400, 'ACCESS_REQUEST_NOT_PENDING');
    expectProblem(await reject(h, row.id, {}), 400, 'ACCESS_REQUEST_NOT_PENDING');
    const other = await pending(h, config, { address: '100000009' });
    expect((await reject(h, other.id)).status).toBe(200);
    expectProblem(await approve(h, other.id, { mode: 'CREATE_NEW' }), 400, 'ACCESS_REQUEST_NOT_PENDING');
  });

  it('access-request-references-checked: a request whose config was deleted cannot CREATE_NEW; nothing is written', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    expect((await h.api.delete(`${configsPath('telegram')}/${config}`)).status).toBe(204);
    expectProblem(await approve(h, row.id, { mode: 'CREATE_NEW' }), 400, 'INVALID_REFERENCE');
    expect(Object.keys(h.store.snapshot().participants)).toEqual([]);
    expect((await reject(h, row.id)).status).toBe(200);
  });

  it('access-request-roles-not-modelled: any caller may approve or reject; processedBy is the caller', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    const res = await approve(h, row.id, { mode: 'CREATE_NEW' });
    expect(res.status).toBe(200);
    expect(typeof res.body.processedBy).toBe('string');
    expect(res.body.processedBy.length).toBeGreaterThan(0);
  });
});

describe(':reject', () => {
  it('access-request-reject-soft: reject records the decision; the next message from the sender opens a new pending row', async () => {
    const { h, config } = await setUp();
    const row = await pending(h, config);
    const res = await reject(h, row.id, { note: 'not now' });
    expect(res.body).toMatchObject({ id: row.id, status: 'REJECTED', processingNote: 'not now', approvedParticipantId: null, processedAt: expect.any(Number) });
    const again = await pending(h, config);
    expect(again.id).not.toBe(row.id);
    expect(again.status).toBe('PENDING');
    expect(((await h.api.get(AR)).body as { status: string }[]).map((r) => r.status)).toEqual(['REJECTED', 'PENDING']);
    expectProblem(await reject(h, again.id, { note: 'x'.repeat(4001) }), 400);
  });
});

describe('the programmatic API', () => {
  it('inbound-webhook-url: the walkthrough over HTTP: mint the URL, post an update, approve CREATE_NEW, :send, and script a failure', async () => {
    const { startMock, mockClient } = await import('../src/index.js');
    const mock = await startMock({ seed: 3 });
    try {
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${mock.url}/v1/tenants/acme${path}`, {
          method,
          headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> & { id: string } };
      };
      const config = (await api('POST', '/integrations/telegram/configs', { displayName: 'bot', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: '1:x' } } })).body.id;
      expect((await api('POST', `/integrations/telegram/configs/${config}:publish`, {})).status).toBe(200);
      const url = (await api('POST', `/integrations/telegram/configs/${config}:generateWebhookUrl`)).body.webhookUrl as string;
      expect(url.startsWith(mock.url)).toBe(true);
      const update = { message: { from: { id: 7, first_name: 'Grace' }, chat: { id: 555000111, type: 'private' }, text: 'hi' } };
      const posted = await fetch(`${url}?agentId=support_bot`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(update) });
      expect(posted.status).toBe(200);
      const [row] = (await api('GET', '/participantAccessRequests?Status=PENDING')).body as unknown as { id: string }[];
      const approved = await api('POST', `/participantAccessRequests/${row!.id}:approve`, { mode: 'CREATE_NEW' });
      const participant = approved.body.approvedParticipantId as string;
      expect((await api('POST', `/participants/${participant}:send`, { message: 'welcome' })).body).toEqual({ outcome: 'SENT' });
      await mock.scriptProviderAnswer({ tenant: 'acme', address: '555000111' });
      expect((await api('POST', `/participants/${participant}:send`, { message: 'welcome' })).body).toEqual({ outcome: 'FAILED' });
      await mock.clearProviderAnswers({ tenant: 'acme' });
      expect((await api('POST', `/participants/${participant}:send`, { message: 'welcome' })).body).toEqual({ outcome: 'SENT' });

      const out = await mock.simulateInboundMessage({ tenant: 'acme', integrationConfigId: config, address: '555000111', agentId: 'triage_agent' });
      expect(out.accessRequests[0]).toMatchObject({ agentId: 'triage_agent', matchedParticipantId: participant });
      const client = mockClient(mock.url, { token: mock.controlToken });
      const again = await client.simulateInboundMessage({ tenant: 'acme', integrationConfigId: config, address: '555000111', agentId: 'triage_agent' });
      expect(again.accessRequests[0]!.id).toBe(out.accessRequests[0]!.id);
      expect(await client.scriptProviderAnswer({ tenant: 'acme', address: '1', outcome: 'NO_CHANNEL' })).toMatchObject({ outcome: 'NO_CHANNEL' });
      await client.clearProviderAnswers();
    } finally {
      await mock.close();
    }
  });
});
