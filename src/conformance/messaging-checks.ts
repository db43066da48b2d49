import { anAgent, type Check } from './checks.js';
import type { CheckContext, Exchange } from './context.js';

const NEVER_ISSUED = '00000000-0000-4000-8000-00000000beef';
const BOT_TOKEN = { integrationAuthMetadataId: 'bot_token', parameters: { token: 'conformance-token' } };

type Row = Record<string, unknown> & { id: string };

function bodyOf(exchange: Exchange): Row {
  return (exchange.body ?? {}) as Row;
}

/** A chat id no other run uses: digits from the run id and a counter, as Telegram's format wants. */
function chatId(t: CheckContext, n: number): string {
  let hash = 0;
  for (const char of t.runId) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  return `${7_000_000_000 + hash * 1000 + n}`;
}

/** A published config on `integrationId` with a bot token. */
async function publishedConfig(t: CheckContext, integrationId: string, options: { publish?: boolean; auth?: boolean } = {}): Promise<string> {
  await t.need(`${integrationId} integration`, (i) => i.id === integrationId);
  const created = await t.createConfig(integrationId, { displayName: t.name(integrationId), ...(options.auth === false ? {} : { auth: BOT_TOKEN }) });
  t.expectStatus(created, 200, `creating a ${integrationId} config`);
  const id = bodyOf(created).id;
  if (options.publish !== false) t.expectStatus(await t.call('POST', `/integrations/${integrationId}/configs/${id}:publish`, {}), 200, ':publish');
  return id;
}

async function participant(t: CheckContext, body: Record<string, unknown>): Promise<string> {
  const created = await t.createParticipant({ displayName: t.name('participant'), ...body });
  t.expectStatus(created, 200, 'creating a participant');
  return bodyOf(created).id;
}

async function send(t: CheckContext, id: string, body: Record<string, unknown> = { message: 'conformance' }): Promise<Exchange> {
  return t.call('POST', `/participants/${id}:send`, body);
}

function expectOutcome(t: CheckContext, exchange: Exchange, outcome: string, what: string): void {
  t.expectStatus(exchange, 200, what);
  t.expect(bodyOf(exchange).outcome === outcome, `${what} should answer outcome ${outcome}`, exchange);
}

/** An inbound message to `agentId` from `address` on the config, through the mock's control plane; the row it opened. */
async function inbound(t: CheckContext, config: string, address: string, agentId: string, extra: Record<string, unknown> = {}): Promise<Row | undefined> {
  const res = await t.control('POST', '/inbound-messages', { tenant: t.target.tenant, integrationConfigId: config, address, agentId, ...extra });
  t.expect(res.status === 200, `an inbound message should be accepted (got ${res.status})`);
  return (res.body as { accessRequests: Row[] }).accessRequests[0];
}

async function pendingRow(t: CheckContext, config: string, n: number, agentId: string): Promise<Row> {
  const row = await inbound(t, config, chatId(t, n), agentId, { displayName: t.name('sender') });
  t.expect(row?.status === 'PENDING', 'an unknown sender should open a PENDING access request');
  return row!;
}

async function approve(t: CheckContext, id: string, body: Record<string, unknown>): Promise<Exchange> {
  const res = await t.call('POST', `/participantAccessRequests/${id}:approve`, body);
  const approved = bodyOf(res).approvedParticipantId;
  if (res.status === 200 && typeof approved === 'string' && body.mode === 'CREATE_NEW') t.deleteLater(`/participants/${approved}`);
  return res;
}

/** Scripts the provider's answer for an address, runs `body`, and clears the tenant's scripts whatever happens. */
async function withScript(t: CheckContext, address: string, outcome: string, body: () => Promise<void>): Promise<void> {
  const res = await t.control('POST', '/provider-answers', { tenant: t.target.tenant, address, outcome });
  t.expect(res.status === 201, 'scripting a provider answer');
  try {
    await body();
  } finally {
    await t.control('DELETE', `/provider-answers?tenant=${encodeURIComponent(t.target.tenant)}`);
  }
}

export const MESSAGING_CHECKS: readonly Check[] = [
  {
    rule: 'send-unknown-participant-404',
    writes: true,
    run: async (t) => t.expectProblem(await send(t, NEVER_ISSUED), 404, ':send to a participant of no tenant'),
  },
  {
    rule: 'send-disabled-participant',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      const id = await participant(t, { channels: [{ integrationConfigId: config, address: chatId(t, 1) }] });
      t.expectStatus(await t.call('POST', `/participants/${id}:disable`), 200, ':disable');
      expectOutcome(t, await send(t, id), 'DISABLED', ':send to a disabled participant');
    },
  },
  {
    rule: 'send-message-required',
    writes: true,
    run: async (t) => {
      const id = await participant(t, {});
      t.expectProblem(await send(t, id, {}), 400, ':send without message');
      t.expectProblem(await send(t, id, { message: 'x', colour: 'teal' }), 400, ':send with an unknown field');
      t.expectProblem(await t.call('POST', '/participants:dryRunSend', { message: 'x' }), 400, ':dryRunSend without integrationConfigId and address');
    },
  },
  {
    rule: 'send-skips-unusable-channels',
    writes: true,
    run: async (t) => {
      const draft = await publishedConfig(t, 'telegram', { publish: false });
      const published = await publishedConfig(t, 'telegram');
      const channels = [
        { integrationConfigId: draft, address: chatId(t, 2) },
        { integrationConfigId: published, address: chatId(t, 3), disabled: true },
        { integrationConfigId: published, address: 'not-a-chat-id' },
      ];
      expectOutcome(t, await send(t, await participant(t, { channels })), 'NO_CHANNEL', ':send with only unusable channels');
      expectOutcome(t, await send(t, await participant(t, {})), 'NO_CHANNEL', ':send to a participant without channels');
    },
  },
  {
    rule: 'send-provider-override',
    writes: true,
    run: async (t) => {
      const telegram = await publishedConfig(t, 'telegram');
      const slack = await publishedConfig(t, 'slack');
      const slackUser = `U${chatId(t, 4)}`.slice(0, 12);
      const id = await participant(t, {
        channels: [{ integrationConfigId: telegram, address: chatId(t, 4), priority: 0 }, { integrationConfigId: slack, address: slackUser, priority: 9 }],
      });
      await withScript(t, slackUser, 'FAILED', async () => {
        t.expect(bodyOf(await send(t, id)).outcome !== 'FAILED', ':send without providerOverride should not pick the slack channel');
        expectOutcome(t, await send(t, id, { message: 'x', providerOverride: 'slack' }), 'FAILED', ':send with providerOverride slack');
        t.expect(bodyOf(await send(t, id, { message: 'x', providerOverride: 'twilio' })).outcome !== 'FAILED', 'an override the participant has no channel for should fall back');
      });
    },
  },
  {
    rule: 'dry-run-address-format',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      t.expectProblem(await t.call('POST', '/participants:dryRunSend', { integrationConfigId: config, address: '@nobody', message: 'x' }), 400, ':dryRunSend to an address outside the format');
    },
  },
  {
    rule: 'dry-run-stores-nothing',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      const before = await t.call('GET', '/participants');
      const res = await t.call('POST', '/participants:dryRunSend', { integrationConfigId: config, address: chatId(t, 5), message: 'x' });
      t.expectStatus(res, 200, ':dryRunSend to a valid address');
      const after = await t.call('GET', '/participants');
      t.expect(JSON.stringify(after.body) === JSON.stringify(before.body), 'a dry run should create no participant or binding', after);
    },
  },
  {
    rule: 'dry-run-lengths',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      const dryRun = (address: string, message: string) => t.call('POST', '/participants:dryRunSend', { integrationConfigId: config, address, message });
      t.expectProblem(await dryRun(chatId(t, 6), ''), 400, 'an empty message');
      t.expectProblem(await dryRun(chatId(t, 6), 'x'.repeat(4001)), 400, 'a 4001-character message');
      t.expectProblem(await dryRun('', 'x'), 400, 'an empty address');
      t.expectStatus(await dryRun(chatId(t, 6), 'x'.repeat(4000)), 200, 'a 4000-character message');
    },
  },
  {
    rule: 'avatar-sync-400-reasons',
    writes: true,
    run: async (t) => {
      const slack = await publishedConfig(t, 'slack', { auth: false });
      const telegram = await publishedConfig(t, 'telegram');
      const id = await participant(t, { channels: [{ integrationConfigId: slack, address: 'U0CONFORM01' }, { integrationConfigId: telegram, address: chatId(t, 7) }] });
      const sync = (integrationConfigId: string, address: string) => t.call('POST', `/participants/${id}/avatar:syncFromChannel`, { integrationConfigId, address });
      t.expectProblem(await sync(slack, 'U0NOTONIT01'), 400, 'a channel not on the participant');
      t.expectProblem(await sync(telegram, chatId(t, 7)), 400, 'a provider without an avatar source');
      t.expectProblem(await sync(slack, 'U0CONFORM01'), 400, 'credentials that are not connected');
      const connected = await publishedConfig(t, 'slack');
      const other = await participant(t, { channels: [{ integrationConfigId: connected, address: 'C0CONFORM01' }] });
      t.expectProblem(await t.call('POST', `/participants/${other}/avatar:syncFromChannel`, { integrationConfigId: connected, address: 'C0CONFORM01' }), 400, 'an address without an image');
    },
  },
  {
    rule: 'avatar-sync-sets-file-id',
    writes: true,
    run: async (t) => {
      const slack = await publishedConfig(t, 'slack');
      const id = await participant(t, { channels: [{ integrationConfigId: slack, address: 'U0CONFORM02' }] });
      const res = await t.call('POST', `/participants/${id}/avatar:syncFromChannel`, { integrationConfigId: slack, address: 'U0CONFORM02' });
      t.expectStatus(res, 200, 'a sync from a Slack user');
      t.expect(typeof bodyOf(res).avatarFileId === 'string', 'the participant should carry the new avatarFileId', res);
    },
  },
  {
    rule: 'avatar-sync-body',
    writes: true,
    run: async (t) => {
      const id = await participant(t, {});
      t.expectProblem(await t.call('POST', `/participants/${id}/avatar:syncFromChannel`, { integrationConfigId: NEVER_ISSUED }), 400, 'a sync without address');
      t.expectProblem(await t.call('POST', `/participants/${id}/avatar:syncFromChannel`, { integrationConfigId: 'nope', address: 'U1' }), 400, 'a sync with a config id that is not a uuid');
      t.expectProblem(await t.call('POST', `/participants/${NEVER_ISSUED}/avatar:syncFromChannel`, { integrationConfigId: NEVER_ISSUED, address: 'U1' }), 404, 'a sync of an unknown participant');
    },
  },
  {
    rule: 'inbound-opens-access-request',
    writes: true,
    run: async (t) => {
      const agent = await anAgent(t);
      const config = await publishedConfig(t, 'telegram');
      const row = await pendingRow(t, config, 8, agent);
      const got = await t.call('GET', `/participantAccessRequests/${row.id}`);
      t.expectStatus(got, 200, 'reading the new access request');
      t.expect(bodyOf(got).address === chatId(t, 8) && bodyOf(got).integrationConfigId === config, 'the row should carry the sender channel', got);
      await t.call('POST', `/participantAccessRequests/${row.id}:reject`, {});
    },
  },
  {
    rule: 'inbound-skips-disabled-participants',
    writes: true,
    run: async (t) => {
      const agent = await anAgent(t);
      const config = await publishedConfig(t, 'telegram');
      const id = await participant(t, { channels: [{ integrationConfigId: config, address: chatId(t, 9) }], agentIds: [agent] });
      t.expectStatus(await t.call('POST', `/participants/${id}:disable`), 200, ':disable');
      const row = await inbound(t, config, chatId(t, 9), agent);
      t.expect(row?.status === 'PENDING' && row.matchedParticipantId === null, 'a disabled participant should be skipped, so its sender opens a request');
      if (row) await t.call('POST', `/participantAccessRequests/${row.id}:reject`, {});
    },
  },
  {
    rule: 'access-request-pending-reused',
    writes: true,
    run: async (t) => {
      const agent = await anAgent(t);
      const config = await publishedConfig(t, 'telegram');
      const first = await pendingRow(t, config, 10, agent);
      const second = await pendingRow(t, config, 10, agent);
      t.expect(first.id === second.id, 'a second message while the request is pending should add no row');
      await t.call('POST', `/participantAccessRequests/${first.id}:reject`, {});
    },
  },
  {
    rule: 'access-request-list-filters',
    writes: true,
    run: async (t) => {
      const agent = await anAgent(t);
      const config = await publishedConfig(t, 'telegram');
      const row = await pendingRow(t, config, 11, agent);
      const ids = async (query: string) => {
        const res = await t.call('GET', `/participantAccessRequests${query}`);
        t.expectStatus(res, 200, `GET /participantAccessRequests${query}`);
        return (res.body as Row[]).map((r) => r.id);
      };
      t.expect((await ids(`?AgentId=${encodeURIComponent(agent)}&Status=PENDING`)).includes(row.id), 'AgentId and Status=PENDING should list the new row');
      t.expect(!(await ids('?Status=APPROVED')).includes(row.id), 'Status=APPROVED should not list a pending row');
      const approved = await approve(t, row.id, { mode: 'CREATE_NEW' });
      const created = String(bodyOf(approved).approvedParticipantId);
      t.expect((await ids(`?ParticipantId=${created}`)).includes(row.id), 'ParticipantId should match approvedParticipantId');
    },
  },
  {
    rule: 'access-request-unknown-404',
    writes: false,
    run: async (t) => {
      t.expectProblem(await t.call('GET', `/participantAccessRequests/${NEVER_ISSUED}`), 404, 'an unknown access request');
    },
  },
  {
    rule: 'access-request-approve-modes',
    writes: true,
    run: async (t) => {
      const agent = await anAgent(t);
      const config = await publishedConfig(t, 'telegram');
      const created = await approve(t, (await pendingRow(t, config, 12, agent)).id, { mode: 'CREATE_NEW' });
      t.expectStatus(created, 200, 'CREATE_NEW');
      const person = await t.call('GET', `/participants/${String(bodyOf(created).approvedParticipantId)}`);
      const view = bodyOf(person) as { agentIds?: string[]; channels?: { address: string }[]; kind?: string };
      t.expect(view.kind === 'PERSON' && !!view.agentIds?.includes(agent) && view.channels?.[0]?.address === chatId(t, 12), 'CREATE_NEW should make a bound PERSON with the channel', person);

      const existing = await participant(t, {});
      const added = await approve(t, (await pendingRow(t, config, 13, agent)).id, { mode: 'ADD_TO_EXISTING', participantId: existing });
      t.expect(bodyOf(added).approvedParticipantId === existing, 'ADD_TO_EXISTING should approve into participantId', added);
      const extended = bodyOf(await t.call('GET', `/participants/${existing}`)) as { agentIds?: string[]; channels?: { address: string }[] };
      t.expect(!!extended.agentIds?.includes(agent) && !!extended.channels?.some((c) => c.address === chatId(t, 13)), 'ADD_TO_EXISTING should add the channel and the binding');

      const matched = await participant(t, { channels: [{ integrationConfigId: config, address: chatId(t, 14) }] });
      const row = await pendingRow(t, config, 14, agent);
      t.expect(row.matchedParticipantId === matched, 'the request should match the participant that has the channel');
      t.expectStatus(await approve(t, row.id, { mode: 'BIND_ONLY' }), 200, 'BIND_ONLY');
      const bound = bodyOf(await t.call('GET', `/participants/${matched}`)) as { agentIds?: string[] };
      t.expect(!!bound.agentIds?.includes(agent), 'BIND_ONLY should bind the matched participant');
    },
  },
  {
    rule: 'access-request-mode-fields',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      const row = await pendingRow(t, config, 15, await anAgent(t));
      t.expectProblem(await approve(t, row.id, { mode: 'ADD_TO_EXISTING' }), 400, 'ADD_TO_EXISTING without participantId');
      t.expectProblem(await approve(t, row.id, { mode: 'BIND_ONLY' }), 400, 'BIND_ONLY without a matched participant');
      await t.call('POST', `/participantAccessRequests/${row.id}:reject`, {});
    },
  },
  {
    rule: 'access-request-mode-required',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      const row = await pendingRow(t, config, 16, await anAgent(t));
      t.expectProblem(await approve(t, row.id, {}), 400, ':approve without mode');
      t.expectProblem(await approve(t, row.id, { mode: 'UNSPECIFIED' }), 400, ':approve with mode UNSPECIFIED');
      await t.call('POST', `/participantAccessRequests/${row.id}:reject`, {});
    },
  },
  {
    rule: 'access-request-needs-pending',
    writes: true,
    run: async (t) => {
      const config = await publishedConfig(t, 'telegram');
      const row = await pendingRow(t, config, 17, await anAgent(t));
      t.expectStatus(await t.call('POST', `/participantAccessRequests/${row.id}:reject`, {}), 200, ':reject');
      t.expectProblem(await t.call('POST', `/participantAccessRequests/${row.id}:reject`, {}), 400, 'a second :reject');
      t.expectProblem(await approve(t, row.id, { mode: 'CREATE_NEW' }), 400, ':approve of a rejected request');
    },
  },
  {
    rule: 'access-request-reject-soft',
    writes: true,
    run: async (t) => {
      const agent = await anAgent(t);
      const config = await publishedConfig(t, 'telegram');
      const row = await pendingRow(t, config, 18, agent);
      const rejected = await t.call('POST', `/participantAccessRequests/${row.id}:reject`, { note: 'not now' });
      t.expect(bodyOf(rejected).status === 'REJECTED', ':reject should set REJECTED', rejected);
      const next = await pendingRow(t, config, 18, agent);
      t.expect(next.id !== row.id, 'the next message from the sender should open a new row');
      await t.call('POST', `/participantAccessRequests/${next.id}:reject`, {});
    },
  },
];
