import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

// The config rules of issue 12: what a client sends, what it gets back, and what is stored after a failure.

async function draft(h: Harness, body: Record<string, unknown> = {}, integration = 'slack') {
  const res = await h.api.post(configsPath(integration), { displayName: 'Main', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: res.body.id as string, path: `${configsPath(integration)}/${res.body.id}`, body: res.body };
}

const BOT_TOKEN = { integrationAuthMetadataId: 'bot_token', parameters: { token: 'xoxb-1' } };

describe('configs: no stricter than the docs', () => {
  it('sandbox-mode-values: takes every documented sandboxMode and rejects another, storing nothing', async () => {
    const h = await makeHarness();
    for (const mode of ['NONE', 'VENDOR', 'SIMULATED', 'READ_THROUGH']) {
      expect((await h.api.post(configsPath(), { displayName: mode, sandboxMode: mode })).body.sandboxMode).toBe(mode);
    }
    const problem = expectProblem(await h.api.post(configsPath(), { displayName: 'x', sandboxMode: 'LIVE' }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['sandboxMode']);
    expect(h.store.counts().configs).toBe(4);
  });

  it('display-name-required-nullable: takes a displayName of any length, a note and a toolId of any length', async () => {
    const h = await makeHarness();
    const long = 'n'.repeat(10_000);
    const { path } = await draft(h, { displayName: long, auth: BOT_TOKEN });
    expect((await h.api.get(path)).body.displayName).toBe(long);
    expect((await h.api.post(`${path}:publish`, { note: long })).body.note).toBe(long);
    expectProblem(await h.api.post(`${path}:testTool`, { toolId: 't'.repeat(5000) }), 404, 'NOT_FOUND');
  });

  it('auth-granted-scopes-ignored: a PATCH sending back the auth a read returned is accepted', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, { auth: BOT_TOKEN });
    const read = (await h.api.get(path)).body;
    expect(read.auth).toHaveProperty('grantedScopes');
    const res = await h.api.patch(path, { displayName: 'Renamed', auth: { ...read.auth, parameters: { token: 'xoxb-2' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.auth).toEqual(read.auth);
    expect(res.body.displayName).toBe('Renamed');
  });

  it('unknown-integration-404: an integration id of any shape or length is a 404, never a 400', async () => {
    const h = await makeHarness();
    for (const id of ['no.such', 'x'.repeat(300), 'caf%C3%A9', 'Slack']) {
      expectProblem(await h.api.get(`/integrations/${id}`), 404, 'NOT_FOUND');
      expectProblem(await h.api.post(configsPath(id), { displayName: 'x' }), 404, 'NOT_FOUND');
    }
    expect(h.store.counts().configs).toBe(0);
  });

  it('ids-case-insensitive: a config and its revision answer to an upper-case id; responses keep the lower-case form', async () => {
    const h = await makeHarness();
    const { id } = await draft(h, { auth: BOT_TOKEN });
    const upper = `${configsPath()}/${id.toUpperCase()}`;
    const revision = (await h.api.post(`${upper}:publish`)).body;
    expect(revision.configId).toBe(id);
    expect((await h.api.get(upper)).body).toMatchObject({ id, publishedRevisionId: revision.id });
    expect((await h.api.get(`${upper}/revisions/${revision.id.toUpperCase()}`)).body.id).toBe(revision.id);
    const rolled = await h.api.post(`${upper}:rollback`, { revisionId: revision.id.toUpperCase() });
    expect(rolled.body.id).toBe(revision.id);
    expect((await h.api.patch(upper, { displayName: 'U' })).body.id).toBe(id);
    expect((await h.api.delete(upper)).status).toBe(204);
    expectProblem(await h.api.get(`${configsPath()}/${id}`), 404);
  });

  it('auth-map-index-zero-based: authMapIndex 0 is the first entry, -1 is a 400', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, { authMap: [{ parameters: { team: 'T1' }, authConfig: BOT_TOKEN }] });
    expect((await h.api.post(`${path}:verifyAuth?authMapIndex=0`)).body.authMapResults).toHaveLength(1);
    const problem = expectProblem(await h.api.post(`${path}:verifyAuth?authMapIndex=-1`), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['authMapIndex']);
  });

  it('auth-level-values: takes APPLICATION, USER and UNSPECIFIED (as APPLICATION), and rejects another level', async () => {
    const h = await makeHarness();
    const oauth = (level: string) => ({ displayName: level, auth: { integrationAuthMetadataId: 'oauth2', level } });
    expect((await h.api.post(configsPath(), oauth('USER'))).body.auth.level).toBe('USER');
    expect((await h.api.post(configsPath(), oauth('UNSPECIFIED'))).body.auth.level).toBe('APPLICATION');
    const problem = expectProblem(await h.api.post(configsPath(), oauth('TENANT')), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['auth.level']);
    expect(h.store.counts().configs).toBe(2);
  });
});

describe('configs: no looser than the docs', () => {
  it('tools-resolve-published-revision: an unpublished config is the documented 400 whatever the tool id', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    for (const toolId of ['list_channels', 'no_such_tool']) {
      expectProblem(await h.api.post(`${path}:testTool`, { toolId }), 400, 'CONFIG_NOT_PUBLISHED');
    }
  });

  it('verify-auth-never-echoes-credentials: authMapResults show entry parameters as reads do, secrets left out', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, {
      authMap: [{ parameters: { team: 'T1', signing_secret: 'sig-SECRET' }, authConfig: { ...BOT_TOKEN, parameters: { token: 'tok-SECRET' } } }],
    });
    const res = await h.api.post(`${path}:verifyAuth`);
    expect(res.status).toBe(200);
    expect(res.body.authMapResults).toEqual([{ parameters: { team: 'T1' }, success: true, error: null, authorizationUrl: null }]);
    expect(res.text).not.toContain('SECRET');
    expect((await h.api.get(path)).body.authMapEntries).toEqual([{ parameters: { team: 'T1' } }]);
  });

  it('rollback-foreign-revision-404: rolling back to another config\'s revision is a 404 and changes nothing', async () => {
    const h = await makeHarness();
    const a = await draft(h);
    const b = await draft(h);
    const mine = (await h.api.post(`${a.path}:publish`)).body;
    const theirs = (await h.api.post(`${b.path}:publish`)).body;
    expectProblem(await h.api.post(`${a.path}:rollback`, { revisionId: theirs.id }), 404, 'NOT_FOUND');
    expect((await h.api.get(a.path)).body.publishedRevisionId).toBe(mine.id);
  });
});

describe('configs: decisions where the docs are silent', () => {
  it('versions-start-at-1: the first publish is version 1, then 2', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    expect((await h.api.post(`${path}:publish`)).body.version).toBe(1);
    expect((await h.api.post(`${path}:publish`)).body.version).toBe(2);
  });

  it('modified-at-tracks-draft: PATCH moves modifiedAt; publish and rollback do not', async () => {
    const h = await makeHarness();
    const { path, body } = await draft(h);
    const v1 = (await h.api.post(`${path}:publish`)).body;
    await h.api.post(`${path}:rollback`, { revisionId: v1.id });
    expect((await h.api.get(path)).body.modifiedAt).toBe(body.modifiedAt);
    expect((await h.api.patch(path, { displayName: 'x' })).body.modifiedAt).toBeGreaterThan(body.modifiedAt);
  });

  it('config-list-unpaged: lists the tenant\'s configs of the integration as a bare array in storage order', async () => {
    const h = await makeHarness();
    const a = await draft(h);
    await draft(h, {}, 'github');
    const b = await draft(h);
    const res = await h.api.get(`${configsPath()}?PageSize=1`);
    expect(res.body.map((c: { id: string }) => c.id)).toEqual([a.id, b.id]);
  });

  it('draft-read-is-draft: GET shows the draft while the published revision keeps what was published', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, { parameters: { workspace_domain: 'one' } });
    const v1 = (await h.api.post(`${path}:publish`)).body;
    await h.api.patch(path, { parameters: { workspace_domain: 'two' } });
    expect((await h.api.get(path)).body.parameters).toEqual({ workspace_domain: 'two' });
    expect((await h.api.get(`${path}/revisions/${v1.id}`)).body.parameters).toEqual({ workspace_domain: 'one' });
  });
});
