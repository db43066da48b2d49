import { describe, expect, it } from 'vitest';
import { expectProblem, makeHarness } from './helpers.js';

describe('integration catalog', () => {
  it('lists every fixture integration in the paged envelope, with tool counts', async () => {
    const { api } = await makeHarness();
    const res = await api.get('/integrations');
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(5);
    expect(res.body.nextPageToken).toBeNull();
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(['email', 'github', 'slack', 'telegram', 'twilio']);
    expect(res.body.items.find((i: { id: string }) => i.id === 'slack')).toMatchObject({ type: 'SYSTEM', toolCount: 3 });
  });

  it('filters by search, types and tags', async () => {
    const { api } = await makeHarness();
    const ids = async (query: string) => (await api.get(`/integrations?${query}`)).body.items.map((i: { id: string }) => i.id);
    expect(await ids('search=TELE')).toEqual(['telegram']);
    expect(await ids('tags=sms&tags=email')).toEqual(['email', 'twilio']);
    expect(await ids('types=CUSTOM')).toEqual([]);
    expect(await ids('types=SYSTEM&search=git')).toEqual(['github']);
  });

  it('paging-names-per-list: pages with page_size and the nextPageToken it hands out as page_token', async () => {
    const { api } = await makeHarness();
    const first = await api.get('/integrations?page_size=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.totalCount).toBe(5);
    const second = await api.get(`/integrations?page_size=2&page_token=${first.body.nextPageToken}`);
    const third = await api.get(`/integrations?Paging.PageSize=2&Paging.PageToken.Cursor=${second.body.nextPageToken}`);
    expect(third.body.items).toHaveLength(1);
    expect(third.body.nextPageToken).toBeNull();
    const all = [...first.body.items, ...second.body.items, ...third.body.items].map((i: { id: string }) => i.id);
    expect(new Set(all).size).toBe(5);
  });

  it.each(['page_size=abc', 'page_token=forged', 'Paging.PageToken.Skip=x'])('page-token-is-skip: is 400 for %s', async (query) => {
    const { api } = await makeHarness();
    expectProblem(await api.get(`/integrations?${query}`), 400, 'VALIDATION_FAILED');
  });

  it('page-token-is-skip: a size of 0 or none means 50, the token is the next skip, and Skip works alone', async () => {
    const { api } = await makeHarness();
    expect((await api.get('/integrations?page_size=0')).body.items).toHaveLength(5);
    const first = await api.get('/integrations?page_size=2');
    expect(first.body.nextPageToken).toBe('2');
    const viaSkip = await api.get('/integrations?page_size=2&Paging.PageToken.Skip=2');
    const viaToken = await api.get('/integrations?page_size=2&page_token=2');
    expect(viaSkip.body).toEqual(viaToken.body);
    expect(viaSkip.body.items.map((i: { id: string }) => i.id)).not.toContain(first.body.items[0].id);
  });

  it('paging-names-per-list: the tools list pages with the Paging.* names', async () => {
    const { api } = await makeHarness();
    const first = await api.get('/integrations/slack/tools?Paging.PageSize=1');
    expect(first.body).toMatchObject({ items: [{ id: 'list_channels' }], nextPageToken: '1', totalCount: 3 });
    const second = await api.get('/integrations/slack/tools?Paging.PageSize=1&Paging.PageToken.Skip=1');
    expect(second.body.items.map((t: { id: string }) => t.id)).toEqual(['post_message']);
  });

  it('gets one integration with its auth methods and no secret values', async () => {
    const { api } = await makeHarness();
    const res = await api.get('/integrations/github');
    expect(res.status).toBe(200);
    expect(res.body.configMetadata.authMetadata.map((m: { id: string }) => m.id)).toEqual(['oauth2', 'api_key']);
    expect(res.body.configMetadata.parametersMetadata[0]).toMatchObject({ name: 'base_url', index: 0, secret: false });
  });

  it('is 404 for an integration the catalog does not have', async () => {
    const { api } = await makeHarness();
    expectProblem(await api.get('/integrations/myspace'), 404, 'NOT_FOUND');
    expectProblem(await api.get('/integrations/myspace/tools'), 404, 'NOT_FOUND');
  });

  it('lists the tools :testTool accepts', async () => {
    const { api } = await makeHarness();
    const res = await api.get('/integrations/slack/tools');
    expect(res.body).toMatchObject({ totalCount: 3, nextPageToken: null });
    expect(res.body.items[0]).toEqual({
      id: 'list_channels',
      integrationId: 'slack',
      displayName: 'List channels',
      description: expect.any(String),
      actionType: 'READ_ONLY',
    });
  });

  it('serves fixture agents in every tenant, with that tenant\'s id', async () => {
    const { as } = await makeHarness();
    const a = await as('acme').get('/agents/support_bot');
    const b = await as('globex').get('/agents/support_bot');
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id: 'support_bot', type: 'CHAT', enabled: true });
    expect(a.body.tenantId).not.toBe(b.body.tenantId);
    expectProblem(await as('acme').get('/agents/nobody'), 404, 'NOT_FOUND');
  });
});
