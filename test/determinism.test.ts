import { describe, expect, it } from 'vitest';
import { configsPath, makeHarness, type Harness } from './helpers.js';

async function session(h: Harness): Promise<string[]> {
  const texts: string[] = [];
  const record = (res: { text: string; headers: Record<string, string> }) => {
    texts.push(res.text, res.headers['x-mock-revision'] ?? '');
    return res;
  };
  const key = await h.mintKey('acme', 'github');
  const created = record(await h.api.post(configsPath('github'), { displayName: 'x', oAuthCredentialKey: key }));
  const path = `${configsPath('github')}/${JSON.parse(created.text).id}`;
  record(await h.api.post(configsPath('github'), { displayName: 'y', auth: { integrationAuthMetadataId: 'oauth2' } }));
  record(await h.api.patch(path, { parameters: { default_owner: 'acme' } }));
  record(await h.api.post(`${path}:publish`, { note: 'n' }));
  record(await h.api.post(`${path}:testTool`, { toolId: 'list_issues' }));
  record(await h.api.get(configsPath('github')));
  return texts;
}

describe('determinism', () => {
  it('gives byte-identical responses for the same seed and the same requests', async () => {
    const a = await session(await makeHarness({ seed: 7 }));
    const b = await session(await makeHarness({ seed: 7 }));
    expect(a).toEqual(b);
  });

  it('gives other ids and faked fields for another seed', async () => {
    const a = await session(await makeHarness({ seed: 7 }));
    const b = await session(await makeHarness({ seed: 8 }));
    expect(a[0]).not.toEqual(b[0]);
  });
});
