import { describe, expect, it } from 'vitest';
import { HTTP_METHODS, loadSpec } from '../../src/spec.js';
import { configsPath, makeHarness, type Harness } from '../helpers.js';

/**
 * Rule secrets-never-returned, for every operation of the spec: a unique value is written into every
 * credential slot a request can fill, then every operation is called (successes and failures that carry
 * credentials), and no response may contain it. An operation added to the spec fails this test until a
 * step below calls it: add one when you add an operation.
 */
const CANARY = 'CANARY-7f3c21e9';
const secret = (slot: string) => `${CANARY}-${slot}`;

const SPEC_OPERATIONS = Object.values(loadSpec().paths)
  .flatMap((item) => HTTP_METHODS.flatMap((m) => (item[m]?.operationId ? [item[m].operationId] : [])))
  .sort();

const authWith = (slot: string) => ({ integrationAuthMetadataId: 'bot_token', parameters: { token: secret(slot) } });

/** A config body with a canary in every credential slot of the slack integration. */
function secretConfig(name: string) {
  return {
    displayName: name,
    parameters: { workspace_domain: 'acme', signing_secret: secret('parameter') },
    auth: authWith('auth'),
    authMap: [{ parameters: { team: 'T1', signing_secret: secret('map-parameter') }, authConfig: authWith('map-auth') }],
    sandboxVariant: {
      parameters: { signing_secret: secret('sandbox-parameter') },
      auth: authWith('sandbox-auth'),
      authMap: [{ parameters: { signing_secret: secret('sandbox-map-parameter') }, authConfig: authWith('sandbox-map-auth') }],
    },
  };
}

type Step = (h: Harness, ids: Record<string, string>) => Promise<unknown>;

/** One step (or more) per operation id of the spec, in an order that lets each find what it needs. */
const STEPS: [string, Step][] = [
  ['createIntegrationConfig', async (h, ids) => {
    ids.config = (await h.api.post(configsPath(), secretConfig('main'))).body.id;
    ids.doomed = (await h.api.post(configsPath(), secretConfig('doomed'))).body.id;
    await h.api.post(configsPath(), { ...secretConfig('bad level'), auth: { ...authWith('rejected'), level: 'USER' } });
    await h.api.post(configsPath(), { ...secretConfig('bad type'), displayName: 5 });
  }],
  ['updateIntegrationConfig', async (h, ids) => {
    await h.api.patch(`${configsPath()}/${ids.config}`, { auth: authWith('patched') });
    await h.api.patch(`${configsPath()}/${ids.config}`, { auth: { ...authWith('rejected-patch'), integrationAuthMetadataId: 'nope' } });
  }],
  ['authorizeIntegration', (h) => h.api.post('/integrations/slack:authorize', { integrationAuthMetadataId: 'oauth2' })],
  ['consumeOAuthCredentials', async (h, ids) => {
    const key = await h.mintKey('acme', 'slack');
    await h.api.post('/integrations/slack:consumeOAuthCredentials', { credentialKey: key, integrationConfigId: ids.doomed });
    await h.api.post('/integrations/slack:consumeOAuthCredentials', { credentialKey: key, integrationConfigId: ids.doomed });
  }],
  ['publishIntegrationConfig', async (h, ids) => {
    ids.revision = (await h.api.post(`${configsPath()}/${ids.config}:publish`, { note: 'n' })).body.id;
  }],
  ['rollbackIntegrationConfig', (h, ids) => h.api.post(`${configsPath()}/${ids.config}:rollback`, { revisionId: ids.revision })],
  ['listIntegrationConfigRevisions', (h, ids) => h.api.get(`${configsPath()}/${ids.config}/revisions`)],
  ['getIntegrationConfigRevision', (h, ids) => h.api.get(`${configsPath()}/${ids.config}/revisions/${ids.revision}`)],
  ['testIntegrationConfigTool', (h, ids) => h.api.post(`${configsPath()}/${ids.config}:testTool`, { toolId: 'list_channels', parameters: { q: 1 } })],
  ['verifyIntegrationConfigAuth', async (h, ids) => {
    await h.api.post(`${configsPath()}/${ids.config}:verifyAuth`);
    await h.api.post(`${configsPath()}/${ids.config}:verifyAuth?authMapIndex=0`);
    await h.api.post(`${configsPath()}/${ids.doomed}:verifyAuth`);
  }],
  ['getIntegrationConfig', (h, ids) => h.api.get(`${configsPath()}/${ids.config}`)],
  ['listIntegrationConfigs', (h) => h.api.get(configsPath())],
  ['listIntegrations', (h) => h.api.get('/integrations')],
  ['getIntegration', (h) => h.api.get('/integrations/slack')],
  ['listIntegrationTools', (h) => h.api.get('/integrations/slack/tools')],
  ['getAgent', (h) => h.api.get('/agents/support_bot')],
  ['createAgent', async (h) => {
    await h.api.post('/agents', { id: 'canary_agent', displayName: 'Canary', type: 'CHAT' });
    await h.api.post('/agents', { id: 'canary_agent' });
  }],
  ['listAgents', (h) => h.api.get('/agents')],
  ['updateAgent', (h) => h.api.put('/agents/canary_agent', { description: 'updated' })],
  ['getIntegrationConfigUsage', async (h, ids) => {
    await h.mock.put('/tenants/acme/agents/canary_agent/definition', {
      slots: [{ name: 'owner', requiredKind: 'PERSON' }],
      integrationSlots: [{ id: '0c0a0a0a-0000-4000-8000-000000000001', integrationId: 'slack', tenantConfigId: ids.config }],
    });
    await h.api.get(`${configsPath()}/${ids.config}/usage`);
    await h.api.delete(`${configsPath()}/${ids.config}`);
  }],
  ['bindAgentSlot', async (h) => {
    const owner = (await h.api.post('/participants', { displayName: 'Owner' })).body.id;
    await h.api.put(`/agents/canary_agent/slots/owner/binding/${owner}`);
  }],
  ['listAgentSlots', (h) => h.api.get('/agents/canary_agent/slots')],
  ['getNetworkGraph', async (h) => {
    await h.api.get('/network/graph');
    await h.api.get('/network/graph?agentId=canary_agent');
  }],
  ['unbindAgentSlot', (h) => h.api.delete('/agents/canary_agent/slots/owner/binding')],
  ['activateAgent', async (h) => {
    await h.api.post('/agents/canary_agent:activate');
    await h.api.post('/agents/canary_agent:activate');
  }],
  ['deactivateAgent', async (h) => {
    await h.api.post('/agents/canary_agent:deactivate');
    await h.api.post('/agents/canary_agent:deactivate');
  }],
  ['deleteAgent', (h) => h.api.delete('/agents/canary_agent')],
  ['cancelAgentDelete', (h) => h.api.post('/agents/canary_agent:cancelDelete')],
  ['createParticipant', async (h, ids) => {
    const channels = [{ integrationConfigId: ids.config, address: 'C0123456789' }];
    ids.participant = (await h.api.post('/participants', { displayName: 'Ada', channels, agentIds: ['support_bot'] })).body.id;
  }],
  ['listParticipants', (h) => h.api.get('/participants')],
  ['getParticipant', (h, ids) => h.api.get(`/participants/${ids.participant}`)],
  ['updateParticipant', (h, ids) => h.api.patch(`/participants/${ids.participant}`, { email: 'ada@example.com' })],
  ['disableParticipant', (h, ids) => h.api.post(`/participants/${ids.participant}:disable`)],
  ['enableParticipant', (h, ids) => h.api.post(`/participants/${ids.participant}:enable`)],
  ['bindParticipant', (h, ids) => h.api.put(`/participants/${ids.participant}/bindings/triage_agent`)],
  ['updateParticipantRoster', (h, ids) => h.api.patch(`/participants/${ids.participant}/bindings/triage_agent/roster`, { roles: ['a'] })],
  ['consultRoster', (h) => h.api.get('/participants/consultRoster?agentId=triage_agent')],
  ['unbindParticipant', (h, ids) => h.api.delete(`/participants/${ids.participant}/bindings/triage_agent`)],
  ['deleteParticipant', (h, ids) => h.api.delete(`/participants/${ids.participant}`)],
  ['getPublishedIntegrationConfigRevision', (h, ids) => h.api.get(`${configsPath()}/${ids.config}/publishedRevision`)],
  ['generateIntegrationConfigWebhookUrl', (h, ids) => h.api.post(`${configsPath()}/${ids.config}:generateWebhookUrl`)],
  ['rotateIntegrationConfigWebhook', (h, ids) => h.api.post(`${configsPath()}/${ids.config}/webhook:rotate`)],
  ['refreshIntegrationConfigIdentity', (h, ids) => h.api.post(`${configsPath()}/${ids.config}:refreshIdentity`)],
  ['applyIntegrationConfigWebhookToProvider', async (h, ids) => {
    ids.bot = (await h.api.post(configsPath('telegram'), { displayName: 'bot', auth: authWith('bot') })).body.id;
    const minted = await h.api.post(`${configsPath('telegram')}/${ids.bot}:generateWebhookUrl`);
    await h.api.post(`${configsPath('telegram')}/${ids.bot}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl });
  }],
  ['inspectIntegrationConfigWebhook', (h, ids) => h.api.post(`${configsPath('telegram')}/${ids.bot}:inspectWebhook`, {})],
  ['dryRunSendParticipantMessage', async (h, ids) => {
    await h.api.post(`${configsPath('telegram')}/${ids.bot}:publish`, {});
    await h.api.post('/participants:dryRunSend', { integrationConfigId: ids.bot, address: '123456789', message: 'hi' });
    await h.api.post('/participants:dryRunSend', { integrationConfigId: ids.bot, address: '@nope', message: 'hi' });
  }],
  ['sendParticipantMessage', async (h, ids) => {
    const channels = [{ integrationConfigId: ids.bot, address: '123456789' }, { integrationConfigId: ids.config, address: 'U0123456789' }];
    ids.reachable = (await h.api.post('/participants', { displayName: 'Reachable', channels })).body.id;
    await h.api.post(`/participants/${ids.reachable}:send`, { message: 'hi' });
    await h.api.post(`/participants/${ids.reachable}:send`, { message: 'hi', providerOverride: 'slack' });
  }],
  ['syncParticipantAvatarFromChannel', async (h, ids) => {
    await h.api.post(`/participants/${ids.reachable}/avatar:syncFromChannel`, { integrationConfigId: ids.config, address: 'U0123456789' });
    await h.api.post(`/participants/${ids.reachable}/avatar:syncFromChannel`, { integrationConfigId: ids.bot, address: '123456789' });
  }],
  ['listParticipantAccessRequests', async (h, ids) => {
    for (const [name, address] of [['first', '555000111'], ['second', '555000222']] as const) {
      const opened = await h.mock.post('/inbound-messages', { tenant: 'acme', integrationConfigId: ids.bot, address, agentId: 'support_bot' });
      ids[name] = opened.body.accessRequests[0].id;
    }
    await h.api.get('/participantAccessRequests?Status=PENDING');
  }],
  ['getParticipantAccessRequest', (h, ids) => h.api.get(`/participantAccessRequests/${ids.first}`)],
  ['approveParticipantAccessRequest', async (h, ids) => {
    await h.api.post(`/participantAccessRequests/${ids.first}:approve`, { mode: 'CREATE_NEW' });
    await h.api.post(`/participantAccessRequests/${ids.first}:approve`, { mode: 'CREATE_NEW' });
  }],
  ['rejectParticipantAccessRequest', (h, ids) => h.api.post(`/participantAccessRequests/${ids.second}:reject`, { note: 'no' })],
  ['verifyIntegrationConfig', async (h) => {
    await h.api.post('/integrations/slack:verifyConfig', { authMetadataId: 'bot_token', authConfig: authWith('adhoc') });
    await h.api.post('/integrations/slack:verifyConfig', { authMetadataId: 'nope', authConfig: authWith('adhoc-rejected') });
  }],
  ['createIntegration', async (h) => {
    await h.api.post('/integrations', {
      id: 'crm',
      configMetadata: {
        parametersMetadata: [{ name: 'crm_secret', secret: true, defaultValue: secret('custom-default') }],
        authMetadata: [{ id: 'key', type: 'API_KEY', authSettings: { parameters: { client_secret: secret('custom-settings') } } }],
      },
    });
    await h.api.post(`${configsPath('crm')}`, { displayName: 'crm', parameters: { crm_secret: secret('custom-parameter') } });
  }],
  ['updateIntegration', (h) => h.api.put('/integrations/crm', { configMetadata: { authMetadata: [{ id: 'key', authSettings: { parameters: { client_id: secret('custom-put') } } }] } })],
  ['deleteIntegration', (h) => h.api.delete('/integrations/crm')],
  ['deleteIntegrationConfig', (h, ids) => h.api.delete(`${configsPath()}/${ids.doomed}`)],
];

describe('secrets-never-returned, for every operation of the spec', () => {
  it('secrets-never-returned: no response of any operation contains a credential value written into any slot', async () => {
    const harness = await makeHarness({ journalSize: 10_000 });
    // Every response as the client received it: status line, headers and body text.
    const received: string[] = [];
    const track = (test: ReturnType<Harness['api']['get']>) =>
      test.then((res) => {
        received.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
        return res;
      });
    const api: Harness['api'] = {
      get: (path) => track(harness.api.get(path)) as never,
      post: (path, body) => track(harness.api.post(path, body)) as never,
      patch: (path, body) => track(harness.api.patch(path, body)) as never,
      put: (path, body) => track(harness.api.put(path, body)) as never,
      delete: (path) => track(harness.api.delete(path)) as never,
    };
    const h: Harness = { ...harness, api };
    const ids: Record<string, string> = {};
    for (const [, step] of STEPS) await step(h, ids);

    // The canary is stored (so the test is not vacuous) …
    const stored = JSON.stringify(h.store.snapshot());
    for (const slot of ['parameter', 'patched', 'map-parameter', 'map-auth', 'sandbox-parameter', 'sandbox-auth', 'sandbox-map-auth', 'custom-settings', 'custom-put', 'custom-default', 'custom-parameter']) {
      expect(stored, slot).toContain(secret(slot));
    }

    // … and no response carries it.
    expect(received.length).toBeGreaterThan(STEPS.length);
    for (const text of received) expect(text).not.toContain(CANARY);
    // Which operations were called, as the mock matched them.
    const journal = (await h.mock.get('/requests?limit=100000')).body.items as { operationId: string | null; status: number }[];
    const answered = journal.filter((e) => e.operationId !== null);
    for (const entry of answered) expect(entry.status, entry.operationId!).toBeLessThan(500);
    expect([...new Set(answered.map((e) => e.operationId!))].sort(), 'operations this test does not call yet').toEqual(SPEC_OPERATIONS);
    expect(STEPS.map(([op]) => op).sort(), 'one step per operation').toEqual(SPEC_OPERATIONS);
  });
});
