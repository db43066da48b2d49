import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

/** `keyed`: a second Slack config with a webhook key; `telegram`: a Telegram config with a token; `acme_crm`: a custom integration. */
type Ids = { config: string; revision: string; keyed: string; telegram: string };

type Row = {
  operation: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: (ids: Ids) => string;
  ok: number;
  body?: (ids: Ids) => unknown;
  invalid?: unknown;
};

/** Every config operation: its success status, a body that fails validation, and its paths. */
const ROWS: Row[] = [
  { operation: 'listIntegrations', method: 'get', path: () => '/integrations', ok: 200 },
  { operation: 'getIntegration', method: 'get', path: () => '/integrations/slack', ok: 200 },
  { operation: 'listIntegrationTools', method: 'get', path: () => '/integrations/slack/tools', ok: 200 },
  { operation: 'createIntegrationConfig', method: 'post', path: () => configsPath(), ok: 200, body: () => ({ displayName: 'x' }), invalid: { displayName: 1 } },
  { operation: 'listIntegrationConfigs', method: 'get', path: () => configsPath(), ok: 200 },
  { operation: 'getIntegrationConfig', method: 'get', path: (i) => `${configsPath()}/${i.config}`, ok: 200 },
  { operation: 'updateIntegrationConfig', method: 'patch', path: (i) => `${configsPath()}/${i.config}`, ok: 200, body: () => ({}), invalid: { sandboxMode: 'x' } },
  { operation: 'publishIntegrationConfig', method: 'post', path: (i) => `${configsPath()}/${i.config}:publish`, ok: 200, body: () => ({}), invalid: { note: 5 } },
  { operation: 'rollbackIntegrationConfig', method: 'post', path: (i) => `${configsPath()}/${i.config}:rollback`, ok: 200, body: (i) => ({ revisionId: i.revision }), invalid: { revisionId: 'v1' } },
  { operation: 'listIntegrationConfigRevisions', method: 'get', path: (i) => `${configsPath()}/${i.config}/revisions`, ok: 200 },
  { operation: 'getIntegrationConfigRevision', method: 'get', path: (i) => `${configsPath()}/${i.config}/revisions/${i.revision}`, ok: 200 },
  { operation: 'testIntegrationConfigTool', method: 'post', path: (i) => `${configsPath()}/${i.config}:testTool`, ok: 200, body: () => ({ toolId: 'list_channels' }), invalid: { toolId: 5 } },
  { operation: 'verifyIntegrationConfigAuth', method: 'post', path: (i) => `${configsPath()}/${i.config}:verifyAuth`, ok: 200 },
  { operation: 'getAgent', method: 'get', path: () => '/agents/support_bot', ok: 200 },
  { operation: 'activateAgent', method: 'post', path: () => '/agents/digest_writer:activate', ok: 200 },
  { operation: 'deactivateAgent', method: 'post', path: () => '/agents/support_bot:deactivate', ok: 200 },
  { operation: 'getIntegrationConfigUsage', method: 'get', path: (i) => `${configsPath()}/${i.config}/usage`, ok: 200 },
  { operation: 'createIntegration', method: 'post', path: () => '/integrations', ok: 200, body: () => ({ id: 'another_crm' }), invalid: { id: 5 } },
  { operation: 'updateIntegration', method: 'put', path: () => '/integrations/acme_crm', ok: 200, body: () => ({ displayName: 'CRM' }), invalid: { displayName: 5 } },
  { operation: 'verifyIntegrationConfig', method: 'post', path: () => '/integrations/slack:verifyConfig', ok: 200, body: () => ({ authMetadataId: 'bot_token', authConfig: {} }), invalid: { authMetadataId: 5, authConfig: {} } },
  { operation: 'getPublishedIntegrationConfigRevision', method: 'get', path: (i) => `${configsPath()}/${i.config}/publishedRevision`, ok: 200 },
  { operation: 'generateIntegrationConfigWebhookUrl', method: 'post', path: (i) => `${configsPath()}/${i.config}:generateWebhookUrl`, ok: 200 },
  { operation: 'rotateIntegrationConfigWebhook', method: 'post', path: (i) => `${configsPath()}/${i.keyed}/webhook:rotate`, ok: 200 },
  { operation: 'refreshIntegrationConfigIdentity', method: 'post', path: (i) => `${configsPath()}/${i.config}:refreshIdentity`, ok: 200 },
  { operation: 'applyIntegrationConfigWebhookToProvider', method: 'post', path: (i) => `${configsPath('telegram')}/${i.telegram}:applyWebhookToProvider`, ok: 200, body: () => ({ webhookUrl: 'https://x.test/' }), invalid: { webhookUrl: 5 } },
  { operation: 'inspectIntegrationConfigWebhook', method: 'post', path: (i) => `${configsPath('telegram')}/${i.telegram}:inspectWebhook`, ok: 200, body: () => ({}), invalid: { expectedWebhookUrl: 5 } },
  { operation: 'deleteIntegration', method: 'delete', path: () => '/integrations/acme_crm', ok: 204 },
  { operation: 'deleteIntegrationConfig', method: 'delete', path: (i) => `${configsPath()}/${i.config}`, ok: 204 },
];

async function arrange(h: Harness) {
  const config = (await h.api.post(configsPath(), { displayName: 'x', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } })).body.id as string;
  const revision = (await h.api.post(`${configsPath()}/${config}:publish`)).body.id as string;
  const keyed = (await h.api.post(configsPath(), { displayName: 'keyed' })).body.id as string;
  expect((await h.api.post(`${configsPath()}/${keyed}:generateWebhookUrl`)).status).toBe(200);
  expect((await h.api.post('/integrations', { id: 'acme_crm' })).status).toBe(200);
  const telegramAuth = { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } };
  const telegram = (await h.api.post(configsPath('telegram'), { displayName: 'bot', auth: telegramAuth })).body.id as string;
  return { config, revision, keyed, telegram };
}

function send(h: Harness, row: Row, path: string, body: unknown, auth = true) {
  let req = request(h.app)[row.method](`/v1/tenants/acme${path}`);
  if (auth) req = req.set('Authorization', 'Bearer t');
  return body === undefined ? req : req.send(body as object);
}

describe('status matrix', () => {
  it.each(ROWS)('$operation answers $ok on success', async (row) => {
    const h = await makeHarness();
    const ids = await arrange(h);
    const res = await send(h, row, row.path(ids), row.body?.(ids));
    expect(res.status).toBe(row.ok);
  });

  it.each(ROWS)('$operation answers 401 without a token and changes nothing', async (row) => {
    const h = await makeHarness();
    const ids = await arrange(h);
    const before = h.store.snapshot();
    const res = await send(h, row, row.path(ids), row.body?.(ids), false);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(h.store.snapshot()).toEqual(before);
  });

  it.each(ROWS.filter((r) => r.path({ config: '{id}', revision: 'R', keyed: '{id}', telegram: '{id}' }).includes('{id}')))(
    '$operation answers 404 for an unknown config',
    async (row) => {
      const h = await makeHarness();
      const ids = await arrange(h);
      const before = h.store.snapshot();
      expectProblem(await send(h, row, row.path({ ...ids, config: MISSING, keyed: MISSING, telegram: MISSING }), row.body?.(ids)), 404, 'NOT_FOUND');
      expect(h.store.snapshot()).toEqual(before);
    },
  );

  it.each(ROWS.filter((r) => r.path({ config: 'C', revision: 'R', keyed: 'C', telegram: 'C' }).includes('/integrations/slack')))(
    '$operation answers 404 for an unknown integration',
    async (row) => {
      const h = await makeHarness();
      const ids = await arrange(h);
      const path = row.path(ids).replace('/integrations/slack', '/integrations/myspace');
      expectProblem(await send(h, row, path, row.body?.(ids)), 404, 'NOT_FOUND');
    },
  );

  it.each(ROWS.filter((r) => r.invalid !== undefined))('$operation answers 400 for an invalid body and changes nothing', async (row) => {
    const h = await makeHarness();
    const ids = await arrange(h);
    const before = h.store.snapshot();
    expectProblem(await send(h, row, row.path(ids), row.invalid), 400, 'VALIDATION_FAILED');
    expect(h.store.snapshot()).toEqual(before);
  });
});
