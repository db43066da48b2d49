import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS, loadSpec } from '../../src/spec.js';
import { AUTH, configsPath, expectProblem, makeHarness, type Harness } from '../helpers.js';

type Ids = { config: string; revision: string; participant: string; key: string; telegramConfig: string; accessRequest: string };

const AGENT = 'acme_agent';

/** Tenant A's world: a published config, a second config, a bound participant with a channel, an unused OAuth key. */
async function arrangeTenantA(h: Harness): Promise<Ids> {
  const a = h.as('acme');
  const config = (await a.post(configsPath(), { displayName: 'A', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } })).body.id;
  const revision = (await a.post(`${configsPath()}/${config}:publish`)).body.id;
  const telegramConfig = (await a.post(configsPath('telegram'), { displayName: 'A tg' })).body.id;
  const participant = (
    await a.post('/participants', {
      displayName: 'Ada',
      channels: [{ integrationConfigId: telegramConfig, address: '123456789' }],
      agentIds: ['support_bot'],
    })
  ).body.id;
  const key = await h.mintKey('acme', 'slack');
  const inbound = { tenant: 'acme', integrationConfigId: telegramConfig, address: '555000111', agentId: 'support_bot' };
  const accessRequest = (await h.mock.post('/inbound-messages', inbound)).body.accessRequests[0].id as string;
  // A's own agent, with a slot A's participant fills and an integration slot on A's config.
  expect((await a.post('/agents', { id: AGENT })).status).toBe(201);
  expect((await h.mock.put(`/tenants/acme/agents/${AGENT}/definition`, {
    slots: [{ name: 'owner' }],
    integrationSlots: [{ id: '15017a7e-0000-4000-8000-000000000001', integrationId: 'slack', tenantConfigId: config }],
  })).status).toBe(200);
  expect((await a.put(`/agents/${AGENT}/slots/owner/binding/${participant}`)).status).toBe(200);
  for (const id of [config, revision, participant, telegramConfig, accessRequest]) expect(id).toEqual(expect.any(String));
  return { config, revision, participant, key, telegramConfig, accessRequest };
}

/** A body that would succeed for tenant A, so tenancy is the only reason to fail from tenant B. */
const BODIES: Record<string, (ids: Ids) => unknown> = {
  authorizeIntegration: () => ({ integrationAuthMetadataId: 'oauth2' }),
  consumeOAuthCredentials: (ids) => ({ credentialKey: ids.key, integrationConfigId: ids.config }),
  createIntegrationConfig: (ids) => ({ displayName: 'B', oAuthCredentialKey: ids.key }),
  updateIntegrationConfig: () => ({ displayName: 'B' }),
  publishIntegrationConfig: () => ({}),
  rollbackIntegrationConfig: (ids) => ({ revisionId: ids.revision }),
  testIntegrationConfigTool: () => ({ toolId: 'list_channels' }),
  createParticipant: (ids) => ({ displayName: 'B', channels: [{ integrationConfigId: ids.telegramConfig, address: '123456789' }] }),
  updateParticipant: () => ({ displayName: 'B' }),
  updateParticipantRoster: () => ({ roles: ['ux'] }),
  createIntegration: () => ({ id: 'b_crm' }),
  createAgent: () => ({ id: AGENT }),
  updateAgent: () => ({ displayName: 'B' }),
  updateIntegration: () => ({ displayName: 'B' }),
  verifyIntegrationConfig: () => ({ authMetadataId: 'bot_token', authConfig: { parameters: { token: 't' } } }),
  applyIntegrationConfigWebhookToProvider: () => ({ webhookUrl: 'https://b.example/hook' }),
  inspectIntegrationConfigWebhook: () => ({}),
  sendParticipantMessage: () => ({ message: 'hi' }),
  dryRunSendParticipantMessage: (ids) => ({ integrationConfigId: ids.telegramConfig, address: '123456789', message: 'hi' }),
  syncParticipantAvatarFromChannel: (ids) => ({ integrationConfigId: ids.telegramConfig, address: '123456789' }),
  approveParticipantAccessRequest: () => ({ mode: 'CREATE_NEW' }),
  rejectParticipantAccessRequest: () => ({}),
};

const OPERATIONS = Object.entries(loadSpec().paths).flatMap(([template, item]) =>
  HTTP_METHODS.filter((m) => item[m]).map((m) => ({ method: m, template, operationId: item[m]!.operationId! })),
);

describe('tenant-isolation matrix: every operation, from tenant B, on tenant A\'s records', () => {
  it.each(OPERATIONS)('$operationId cannot see or change tenant A', async ({ method, template, operationId }) => {
    const h = await makeHarness();
    const ids = await arrangeTenantA(h);
    const before = JSON.stringify(h.store.snapshotOf('acme'));
    const path = template
      .replace('{tenant}', 'globex')
      .replace('{integration}', 'slack')
      .replace('{config}', ids.config)
      .replace('{revision}', ids.revision)
      .replace('{participant}', ids.participant)
      .replace('{participantAccessRequest}', ids.accessRequest)
      .replace('{agent}', AGENT)
      .replace('{slot}', 'owner')
      // A slot binding's {binding} is a participant id; a participant binding's is an agent id.
      .replace('{binding}', template.includes('/slots/') ? ids.participant : 'support_bot');
    let req = request(h.app)[method as 'get'](path).set(AUTH);
    const body = BODIES[operationId]?.(ids);
    if (body !== undefined) req = req.send(body as object);
    const res = await req;

    const namesARecord = /\{(config|revision|participant|participantAccessRequest|agent)\}/.test(template);
    if (namesARecord) expectProblem(res, 404, 'NOT_FOUND');
    else {
      expect(res.status, res.text).toBeLessThan(500);
      // An error may quote an id the request itself carried; it must never reveal any other of A's ids.
      const sent = path + JSON.stringify(body ?? null);
      for (const id of [ids.config, ids.revision, ids.participant, ids.telegramConfig, ids.accessRequest, AGENT]) {
        if (!sent.includes(id)) expect(res.text).not.toContain(id);
      }
      if (res.status >= 400) expect(res.status).toBeLessThan(500);
    }
    expect(JSON.stringify(h.store.snapshotOf('acme')), `${operationId} changed tenant A`).toBe(before);
  });

  it('covers every operation of the spec', () => {
    expect(OPERATIONS.length).toBe(57);
  });
});
