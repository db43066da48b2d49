import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness } from './helpers.js';

describe('tenant-isolation', () => {
  it('makes a config of tenant A invisible and untouchable from tenant B', async () => {
    const h = await makeHarness();
    const a = h.as('acme');
    const b = h.as('globex');
    const created = (await a.post(configsPath(), { displayName: 'A', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } })).body;
    const path = `${configsPath()}/${created.id}`;
    const revision = (await a.post(`${path}:publish`)).body;
    const before = h.store.snapshot();

    const attempts = [
      await b.get(path),
      await b.patch(path, { displayName: 'B' }),
      await b.post(`${path}:publish`),
      await b.post(`${path}:rollback`, { revisionId: revision.id }),
      await b.get(`${path}/revisions`),
      await b.get(`${path}/revisions/${revision.id}`),
      await b.post(`${path}:testTool`, { toolId: 'list_channels' }),
      await b.post(`${path}:verifyAuth`),
      await b.delete(path),
    ];
    for (const res of attempts) expectProblem(res, 404, 'NOT_FOUND');
    expect((await b.get(configsPath())).body).toEqual([]);
    expect(h.store.snapshot()).toEqual(before);
    expect((await a.get(path)).body.displayName).toBe('A');
  });

  it('keeps a config under the integration it was created for', async () => {
    const h = await makeHarness();
    const created = (await h.api.post(configsPath('slack'), { displayName: 'x' })).body;
    expectProblem(await h.api.get(`${configsPath('github')}/${created.id}`), 404, 'NOT_FOUND');
  });
});
