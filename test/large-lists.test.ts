import { describe, expect, it } from 'vitest';
import { configsPath, makeHarness } from './helpers.js';

describe('large lists', () => {
  // `largestReplyText` stands in for V8's longest string (~512 MB), which a tenant with enough records reaches.
  it('a list whose JSON is longer than the longest string the app builds is streamed whole, not a 500', async () => {
    const h = await makeHarness({ app: { largestReplyText: 2_000, validateResponses: false } });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await h.api.post(configsPath(), { displayName: `workspace ${i}` })).body.id as string);

    const res = await h.api.get(configsPath());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text.length).toBeGreaterThan(2_000);
    expect((res.body as { id: string }[]).map((c) => c.id)).toEqual(ids);
    expect(JSON.parse(res.text)).toEqual(res.body);
  });

  it('a streamed list is logged with a note in place of its body', async () => {
    const h = await makeHarness({ app: { largestReplyText: 500, validateResponses: false } });
    for (let i = 0; i < 5; i++) await h.api.post(configsPath(), { displayName: `workspace ${i}` });
    await h.api.get(configsPath());
    const [entry] = (await h.mock.get('/requests?operationId=listIntegrationConfigs')).body.items as { responseBody: unknown; status: number }[];
    expect(entry).toMatchObject({ status: 200, responseBody: expect.stringMatching(/^\[not recorded: a streamed array of 5 items, \d+ characters\]$/) });
  });

  it('a list within the bound is one text with its Content-Length', async () => {
    const h = await makeHarness({ app: { largestReplyText: 1_000_000, validateResponses: false } });
    await h.api.post(configsPath(), { displayName: 'one' });
    const res = await h.api.get(configsPath());
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.body).toHaveLength(1);
  });
});
