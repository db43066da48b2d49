import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

async function draft(h: Harness, body: Record<string, unknown> = {}, integration = 'slack') {
  const res = await h.api.post(configsPath(integration), { displayName: 'Main', ...body });
  expect(res.status).toBe(200);
  return { id: res.body.id as string, path: `${configsPath(integration)}/${res.body.id}`, body: res.body };
}

describe('patch-edits-draft-only', () => {
  it('keeps fields that are null or absent and changes the ones sent', async () => {
    const h = await makeHarness();
    const { path, body: created } = await draft(h, { parameters: { workspace_domain: 'acme' }, sandboxMode: 'VENDOR' });
    const res = await h.api.patch(path, { displayName: null, parameters: null, sandboxMode: 'SIMULATED' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Main', parameters: { workspace_domain: 'acme' }, sandboxMode: 'SIMULATED' });
    expect(res.body.modifiedAt).toBeGreaterThan(created.modifiedAt);
    expect(res.body.createdAt).toBe(created.createdAt);
    expect((await h.api.get(path)).body).toEqual(res.body);
  });

  it('treats sandboxMode UNSPECIFIED as "not sent"', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, { sandboxMode: 'READ_THROUGH' });
    expect((await h.api.patch(path, { sandboxMode: 'UNSPECIFIED' })).body.sandboxMode).toBe('READ_THROUGH');
  });

  it('does not change the published revision until the next publish', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, { parameters: { workspace_domain: 'one' } });
    const v1 = await h.api.post(`${path}:publish`);
    await h.api.patch(path, { parameters: { workspace_domain: 'two' } });
    const config = (await h.api.get(path)).body;
    expect(config.publishedRevisionId).toBe(v1.body.id);
    expect(config.parameters).toEqual({ workspace_domain: 'two' });
    const published = await h.api.get(`${path}/revisions/${config.publishedRevisionId}`);
    expect(published.body.parameters).toEqual({ workspace_domain: 'one' });
  });

  it('rejects integrationId, which is not a patch field, and changes nothing', async () => {
    const h = await makeHarness();
    const { path, body } = await draft(h);
    expectProblem(await h.api.patch(path, { integrationId: 'github', displayName: 'other' }), 400, 'VALIDATION_FAILED');
    expect((await h.api.get(path)).body).toEqual(body);
  });

  it('is 404 for an unknown config', async () => {
    const h = await makeHarness();
    expectProblem(await h.api.patch(`${configsPath()}/${MISSING}`, { displayName: 'x' }), 404, 'NOT_FOUND');
  });
});

describe('publish-snapshots-draft', () => {
  it('numbers revisions 1, 2, 3 per config and points publishedRevisionId at the newest', async () => {
    const h = await makeHarness();
    const a = await draft(h);
    const b = await draft(h);
    const versions: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.api.post(`${a.path}:publish`, { note: `release ${i + 1}` });
      expect(res.status).toBe(200);
      versions.push(res.body.version);
      expect((await h.api.get(a.path)).body.publishedRevisionId).toBe(res.body.id);
    }
    expect(versions).toEqual([1, 2, 3]);
    expect((await h.api.post(`${b.path}:publish`)).body.version).toBe(1);
  });

  it('returns an immutable snapshot of the draft with the note and who published it', async () => {
    const h = await makeHarness();
    const { id, path } = await draft(h, {
      parameters: { workspace_domain: 'acme' },
      sandboxMode: 'VENDOR',
      authMap: [{ parameters: { team: 'T1' } }],
    });
    const res = await h.api.post(`${path}:publish`, { note: 'first' });
    expect(res.body).toEqual({
      id: expect.any(String),
      tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      configId: id,
      version: 1,
      parameters: { workspace_domain: 'acme' },
      auth: null,
      authMap: [{ parameters: { team: 'T1' }, authConfig: null }],
      sandboxMode: 'VENDOR',
      sandboxVariant: null,
      note: 'first',
      createdBy: expect.stringContaining('@'),
      createdAt: expect.any(Number),
    });
    await h.api.patch(path, { sandboxMode: 'NONE', authMap: [] });
    expect((await h.api.get(`${path}/revisions/${res.body.id}`)).body).toEqual(res.body);
  });

  it('publishes without a body, with an empty body, and with a null note', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    expect((await h.api.post(`${path}:publish`)).body.note).toBeNull();
    expect((await h.api.post(`${path}:publish`, {})).body.note).toBeNull();
    expect((await h.api.post(`${path}:publish`, { note: null })).body.version).toBe(3);
  });

  it('rejects unknown body properties and publishes nothing', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    expectProblem(await h.api.post(`${path}:publish`, { notes: 'typo' }), 400, 'VALIDATION_FAILED');
    expect((await h.api.get(`${path}/revisions`)).body).toEqual([]);
    expect((await h.api.get(path)).body.publishedRevisionId).toBeNull();
  });
});

describe('rollback-repoints-only', () => {
  it('points at an earlier revision without a new version and without touching the draft', async () => {
    const h = await makeHarness();
    const { path } = await draft(h, { parameters: { workspace_domain: 'one' } });
    const v1 = (await h.api.post(`${path}:publish`)).body;
    await h.api.patch(path, { parameters: { workspace_domain: 'two' } });
    await h.api.post(`${path}:publish`);
    const before = (await h.api.get(path)).body;

    const res = await h.api.post(`${path}:rollback`, { revisionId: v1.id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(v1);
    const after = (await h.api.get(path)).body;
    expect(after).toEqual({ ...before, publishedRevisionId: v1.id });
    const revisions = (await h.api.get(`${path}/revisions`)).body;
    expect(revisions.map((r: { version: number }) => r.version)).toEqual([1, 2]);
  });

  it('is 404 for a revision of another config, and changes nothing', async () => {
    const h = await makeHarness();
    const a = await draft(h);
    const b = await draft(h);
    const va = (await h.api.post(`${a.path}:publish`)).body;
    const vb = (await h.api.post(`${b.path}:publish`)).body;
    expectProblem(await h.api.post(`${a.path}:rollback`, { revisionId: vb.id }), 404, 'NOT_FOUND');
    expectProblem(await h.api.post(`${a.path}:rollback`, { revisionId: MISSING }), 404, 'NOT_FOUND');
    expect((await h.api.get(a.path)).body.publishedRevisionId).toBe(va.id);
  });

  it.each([
    ['no revisionId', {}],
    ['a revisionId that is not a uuid', { revisionId: 'v1' }],
  ])('is 400 for %s', async (_name, body) => {
    const h = await makeHarness();
    const { path } = await draft(h);
    const problem = expectProblem(await h.api.post(`${path}:rollback`, body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['revisionId']);
  });
});

describe('revisions-belong-to-config', () => {
  it('lists revisions in storage order', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await h.api.post(`${path}:publish`)).body.id);
    const list = await h.api.get(`${path}/revisions`);
    expect(list.status).toBe(200);
    expect(list.body.map((r: { id: string }) => r.id)).toEqual(ids);
  });

  it('is 404 for a revision fetched through another config', async () => {
    const h = await makeHarness();
    const a = await draft(h);
    const b = await draft(h);
    const va = (await h.api.post(`${a.path}:publish`)).body;
    expectProblem(await h.api.get(`${b.path}/revisions/${va.id}`), 404, 'NOT_FOUND');
    expect((await h.api.get(`${a.path}/revisions/${va.id}`)).status).toBe(200);
  });
});

describe('tools-resolve-published-revision', () => {
  it('is 400 before the first publish, with a detail that says so', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    const problem = expectProblem(await h.api.post(`${path}:testTool`, { toolId: 'list_channels' }), 400, 'CONFIG_NOT_PUBLISHED');
    expect(problem.detail).toMatch(/no published revision/);
  });

  it('answers 200 with a faked provider response after publish', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    const v1 = (await h.api.post(`${path}:publish`)).body;
    const res = await h.api.post(`${path}:testTool`, { toolId: 'list_channels', parameters: { limit: 2 } });
    expect(res.status).toBe(200);
    expect(res.headers['x-mock-revision']).toBe(`${v1.id}; version=1`);
    const parsed = JSON.parse(res.body.response);
    expect(parsed).toEqual({ ok: true, channels: [expect.objectContaining({ id: expect.stringMatching(/^C/) }), expect.any(Object)] });
  });

  it('resolves whichever revision is published, following publish and rollback', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    const v1 = (await h.api.post(`${path}:publish`)).body;
    const v2 = (await h.api.post(`${path}:publish`)).body;
    const run = () => h.api.post(`${path}:testTool`, { toolId: 'get_user' });
    expect((await run()).headers['x-mock-revision']).toContain(v2.id);
    await h.api.post(`${path}:rollback`, { revisionId: v1.id });
    expect((await run()).headers['x-mock-revision']).toContain(v1.id);
  });

  it('test-tool-unknown-tool-404: is 404 for a tool the integration does not have, naming it', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    await h.api.post(`${path}:publish`);
    const problem = expectProblem(await h.api.post(`${path}:testTool`, { toolId: 'send_sms' }), 404, 'NOT_FOUND');
    expect(problem.detail).toContain('send_sms');
  });

  it.each([
    ['a null toolId', { toolId: null }],
    ['no toolId', { parameters: {} }],
  ])('is 400 for %s', async (_name, body) => {
    const h = await makeHarness();
    const { path } = await draft(h);
    await h.api.post(`${path}:publish`);
    const problem = expectProblem(await h.api.post(`${path}:testTool`, body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toHaveProperty(['toolId']);
  });
});

describe('verify-auth-needs-auth', () => {
  it('is 400 when the draft has neither auth nor authMap', async () => {
    const h = await makeHarness();
    const { path } = await draft(h);
    expectProblem(await h.api.post(`${path}:verifyAuth`), 400, 'CONFIG_HAS_NO_AUTH');
  });

  it('verify-auth-outcome: succeeds when the method has its required credentials, and names the missing ones otherwise', async () => {
    const h = await makeHarness();
    const good = await draft(h, { auth: { integrationAuthMetadataId: 'basic', parameters: { account_sid: 'AC1', auth_token: 't' } } }, 'twilio');
    const bad = await draft(h, { auth: { integrationAuthMetadataId: 'basic', parameters: { account_sid: 'AC1' } } }, 'twilio');
    const ok = await h.api.post(`${good.path}:verifyAuth`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ success: true, error: null, authorizationUrl: null, authMapResults: [] });
    const missing = await h.api.post(`${bad.path}:verifyAuth`);
    expect(missing.body).toMatchObject({ success: false, error: expect.stringContaining('auth_token') });
    expect(missing.text).not.toContain('AC1');
  });

  it('answers an OAuth method without a grant with an authorizationUrl on the mock', async () => {
    const h = await makeHarness();
    const { id, path } = await draft(h, { auth: { integrationAuthMetadataId: 'oauth2', parameters: {} } }, 'github');
    const res = await h.api.post(`${path}:verifyAuth`);
    expect(res.body.success).toBe(false);
    const url = new URL(res.body.authorizationUrl);
    expect(url.pathname).toBe('/__mock/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({ tenant: 'acme', integration: 'github', method: 'oauth2', config: id });
  });

  it('verifies authMap entries one by one, or only the one authMapIndex names', async () => {
    const h = await makeHarness();
    const entry = (token?: string) => ({
      parameters: { chat: token ?? 'none' },
      authConfig: { integrationAuthMetadataId: 'bot_token', parameters: token ? { token } : {} },
    });
    const { path } = await draft(h, { authMap: [entry('t1'), entry()] }, 'telegram');
    const all = await h.api.post(`${path}:verifyAuth`);
    expect(all.body).toMatchObject({ success: false, authorizationUrl: null });
    expect(all.body.authMapResults).toEqual([
      { parameters: { chat: 't1' }, success: true, error: null, authorizationUrl: null },
      { parameters: { chat: 'none' }, success: false, error: expect.stringContaining('token'), authorizationUrl: null },
    ]);
    const one = await h.api.post(`${path}:verifyAuth?authMapIndex=0`);
    expect(one.body).toMatchObject({ success: true, authMapResults: [{ parameters: { chat: 't1' }, success: true }] });
    expectProblem(await h.api.post(`${path}:verifyAuth?authMapIndex=2`), 400, 'VALIDATION_FAILED');
    expectProblem(await h.api.post(`${path}:verifyAuth?authMapIndex=-1`), 400, 'VALIDATION_FAILED');
  });
});

describe('delete-cascades-revisions', () => {
  it('removes the config and all its revisions', async () => {
    const h = await makeHarness();
    const { id, path } = await draft(h);
    const v1 = (await h.api.post(`${path}:publish`)).body;
    const other = await draft(h);
    await h.api.post(`${other.path}:publish`);
    const res = await h.api.delete(path);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectProblem(await h.api.get(path), 404, 'NOT_FOUND');
    expectProblem(await h.api.get(`${path}/revisions/${v1.id}`), 404, 'NOT_FOUND');
    expectProblem(await h.api.delete(path), 404, 'NOT_FOUND');
    const stored = h.store.snapshot();
    expect(Object.values(stored.revisions).filter((r) => r.configId === id)).toEqual([]);
    expect(Object.keys(stored.revisions)).toHaveLength(1);
    expect((await h.api.get(configsPath())).body.map((c: { id: string }) => c.id)).toEqual([other.id]);
  });
});
