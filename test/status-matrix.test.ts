import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

type Row = {
  operation: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: (ids: { config: string; revision: string }) => string;
  ok: number;
  body?: (ids: { config: string; revision: string }) => unknown;
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
  { operation: 'deleteIntegrationConfig', method: 'delete', path: (i) => `${configsPath()}/${i.config}`, ok: 204 },
];

async function arrange(h: Harness) {
  const config = (await h.api.post(configsPath(), { displayName: 'x', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } })).body.id as string;
  const revision = (await h.api.post(`${configsPath()}/${config}:publish`)).body.id as string;
  return { config, revision };
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

  it.each(ROWS.filter((r) => r.path({ config: 'C', revision: 'R' }).includes('C')))(
    '$operation answers 404 for an unknown config',
    async (row) => {
      const h = await makeHarness();
      const ids = await arrange(h);
      const before = h.store.snapshot();
      expectProblem(await send(h, row, row.path({ ...ids, config: MISSING }), row.body?.(ids)), 404, 'NOT_FOUND');
      expect(h.store.snapshot()).toEqual(before);
    },
  );

  it.each(ROWS.filter((r) => r.path({ config: 'C', revision: 'R' }).includes('/integrations/slack')))(
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
