import { describe, expect, it } from 'vitest';
import { findConfigByWebhookKey } from '../src/resources/configs/webhooks.js';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';

const TOKEN_AUTH = { integrationAuthMetadataId: 'bot_token', parameters: { token: '123456:secret-bot-token' } };

/** A Telegram config with a working bot token (or none), and its path. */
async function telegramConfig(h: Harness, auth: unknown = TOKEN_AUTH) {
  const res = await h.api.post(configsPath('telegram'), { displayName: 'Support bot', ...(auth ? { auth } : {}) });
  expect(res.status).toBe(200);
  return { id: res.body.id as string, path: `${configsPath('telegram')}/${res.body.id}` };
}

/** The key in a minted URL: its last path segment. */
const keyOf = (url: string) => url.split('/').pop()!;

describe('POST …/configs/{config}:generateWebhookUrl', () => {
  it('webhook-url-points-at-mock: mints <base>/v1/webhooks/{integrationId}/{key} on the mock, with the key prefix', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const res = await h.api.post(`${path}:generateWebhookUrl`);
    expect(res.status).toBe(200);
    expect(res.body.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/v1\/webhooks\/telegram\/whk_[A-Za-z0-9]{40}$/);
    expect(res.body.webhookKeyPrefix).toBe(keyOf(res.body.webhookUrl).slice(0, 16));
  });

  it('webhook-generate-once: the URL is shown once; reads never carry it, and a second mint is a 400 that changes nothing', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const first = await h.api.post(`${path}:generateWebhookUrl`);
    const before = h.store.snapshot();
    expectProblem(await h.api.post(`${path}:generateWebhookUrl`), 400, 'WEBHOOK_KEY_ALREADY_BOUND');
    expect(h.store.snapshot()).toEqual(before);
    const reads = [await h.api.get(path), await h.api.get(configsPath('telegram'))];
    for (const read of reads) expect(read.text).not.toContain(keyOf(first.body.webhookUrl));
  });

  it('webhook-per-binding-400: a per-binding integration (Twilio) refuses both the mint and the rotation', async () => {
    const h = await makeHarness();
    const config = await h.api.post(configsPath('twilio'), { displayName: 'Line' });
    const path = `${configsPath('twilio')}/${config.body.id}`;
    expectProblem(await h.api.post(`${path}:generateWebhookUrl`), 400, 'WEBHOOK_OWNED_PER_BINDING');
    expectProblem(await h.api.post(`${path}/webhook:rotate`), 400, 'WEBHOOK_OWNED_PER_BINDING');
    expect(h.store.counts().webhookKeys).toBe(0);
  });

  it('webhooks-need-inbound-integration: an integration without inbound webhooks (GitHub) is a 400', async () => {
    const h = await makeHarness();
    const config = await h.api.post(configsPath('github'), { displayName: 'Repo' });
    expectProblem(await h.api.post(`${configsPath('github')}/${config.body.id}:generateWebhookUrl`), 400, 'WEBHOOKS_NOT_SUPPORTED');
  });

  it('unknown-integration-404: an unknown config or one of another tenant is 404, and nothing is minted', async () => {
    const h = await makeHarness();
    const { path, id } = await telegramConfig(h);
    expectProblem(await h.api.post(`${configsPath('telegram')}/00000000-0000-4000-8000-000000000000:generateWebhookUrl`), 404);
    expectProblem(await h.as('globex').post(`${path}:generateWebhookUrl`), 404);
    expectProblem(await h.api.post(`${configsPath('slack')}/${id}:generateWebhookUrl`), 404);
    expect(h.store.counts().webhookKeys).toBe(0);
  });

  it('webhook-key-secret: only a digest of the key is stored, and the journal and state export redact the URL', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    const key = keyOf(minted.body.webhookUrl);
    expect(JSON.stringify(h.store.snapshot())).not.toContain(key);
    await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl });
    await h.api.post(`${path}:inspectWebhook`, { expectedWebhookUrl: minted.body.webhookUrl });
    const journal = await h.mock.get('/requests');
    const state = await h.mock.get('/state');
    expect(journal.text).not.toContain(key);
    expect(state.text).not.toContain(key);
    expect(journal.text).toContain('[redacted]');
  });
});

describe('POST …/configs/{config}/webhook:rotate', () => {
  it('webhook-rotate-needs-key: before any mint it is a 400', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    expectProblem(await h.api.post(`${path}/webhook:rotate`), 400, 'WEBHOOK_KEY_NOT_BOUND');
  });

  it('webhook-rotate-revokes: the old URL stops matching at once and the new one matches', async () => {
    const h = await makeHarness();
    const { path, id } = await telegramConfig(h);
    const first = await h.api.post(`${path}:generateWebhookUrl`);
    expect(findConfigByWebhookKey(h, 'telegram', keyOf(first.body.webhookUrl))).toMatchObject({ tenant: 'acme', config: { id } });
    const rotated = await h.api.post(`${path}/webhook:rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhookUrl).not.toBe(first.body.webhookUrl);
    expect(rotated.body.webhookKeyPrefix).toBe(keyOf(rotated.body.webhookUrl).slice(0, 16));
    expect(findConfigByWebhookKey(h, 'telegram', keyOf(first.body.webhookUrl))).toBeUndefined();
    expect(findConfigByWebhookKey(h, 'telegram', keyOf(rotated.body.webhookUrl))).toMatchObject({ tenant: 'acme', config: { id } });
    expect(findConfigByWebhookKey(h, 'slack', keyOf(rotated.body.webhookUrl))).toBeUndefined();
    expect(h.store.counts().webhookKeys).toBe(1);
  });

  it('webhook-key-dies-with-config: deleting the config makes its URL stop matching', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    expect((await h.api.delete(path)).status).toBe(204);
    expect(findConfigByWebhookKey(h, 'telegram', keyOf(minted.body.webhookUrl))).toBeUndefined();
    expect(h.store.counts().webhookKeys).toBe(0);
  });
});

describe('POST …/configs/{config}:applyWebhookToProvider and :inspectWebhook', () => {
  it('webhook-apply-to-provider: Telegram takes the URL, and :inspectWebhook then reports it as matching', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    const before = await h.api.post(`${path}:inspectWebhook`, {});
    expect(before.body).toEqual({
      inspectFailed: false,
      providerHasUrl: false,
      providerUrlMatchesExpected: false,
      providerReportedUrl: null,
      lastErrorMessage: null,
      lastErrorAt: null,
      pendingUpdateCount: 0,
      errorMessage: null,
    });
    const applied = await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ applied: true, errorMessage: null });
    const after = await h.api.post(`${path}:inspectWebhook`, { expectedWebhookUrl: minted.body.webhookUrl });
    expect(after.body).toMatchObject({
      inspectFailed: false,
      providerHasUrl: true,
      providerUrlMatchesExpected: true,
      providerReportedUrl: minted.body.webhookUrl,
    });
  });

  it('webhook-apply-to-provider: a provider without a registration API (Slack) or an inspector is a 400', async () => {
    const h = await makeHarness();
    const config = await h.api.post(configsPath('slack'), { displayName: 'x', auth: TOKEN_AUTH });
    const path = `${configsPath('slack')}/${config.body.id}`;
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    expect(minted.status).toBe(200);
    expectProblem(await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl }), 400, 'PROVIDER_OPERATION_NOT_SUPPORTED');
    expectProblem(await h.api.post(`${path}:inspectWebhook`, {}), 400, 'PROVIDER_OPERATION_NOT_SUPPORTED');
  });

  it('webhook-apply-simulated-provider: without a bot token the provider answers Unauthorized, as a 200 that stores nothing', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h, null);
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    const before = h.store.snapshot();
    const res = await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      applied: false,
      providerResponse: '{"ok":false,"error_code":401,"description":"Unauthorized"}',
      errorMessage: 'Unauthorized',
    });
    expect(h.store.snapshot()).toEqual(before);
    const inspected = await h.api.post(`${path}:inspectWebhook`, {});
    expect(inspected.body).toMatchObject({ inspectFailed: true, providerHasUrl: false, errorMessage: 'Unauthorized' });
  });

  it('webhook-apply-simulated-provider: a malformed URL is refused by the provider; a missing one is a 400', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const res = await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: 'not a url' });
    expect(res.body).toMatchObject({ applied: false, errorMessage: 'Bad Request: invalid webhook URL specified' });
    const missing = expectProblem(await h.api.post(`${path}:applyWebhookToProvider`, {}), 400, 'VALIDATION_FAILED');
    expect(missing.errors).toHaveProperty('webhookUrl');
    expectProblem(await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: 5 }), 400, 'VALIDATION_FAILED');
    expectProblem(await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: 'x', extra: 1 }), 400, 'VALIDATION_FAILED');
  });

  it('webhook-inspect-simulated-provider: after a rotation the provider still holds the old URL, which no longer matches', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const first = await h.api.post(`${path}:generateWebhookUrl`);
    await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: first.body.webhookUrl });
    const rotated = await h.api.post(`${path}/webhook:rotate`);
    const res = await h.api.post(`${path}:inspectWebhook`, { expectedWebhookUrl: rotated.body.webhookUrl });
    expect(res.body).toMatchObject({ providerHasUrl: true, providerUrlMatchesExpected: false, providerReportedUrl: first.body.webhookUrl });
    const withoutExpected = await h.api.post(`${path}:inspectWebhook`);
    expect(withoutExpected.body.providerUrlMatchesExpected).toBe(false);
  });
});

describe('POST …/configs/{config}:refreshIdentity', () => {
  it('refresh-identity-persisted: resolves the bot, stores it on the config, and keeps it when the token goes', async () => {
    const h = await makeHarness();
    const { path, id } = await telegramConfig(h);
    const modifiedAt = (await h.api.get(path)).body.modifiedAt;
    const res = await h.api.post(`${path}:refreshIdentity`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      handle: expect.stringMatching(/^[a-z]+_bot$/),
      displayName: expect.stringMatching(/ Bot$/),
      providerId: expect.stringMatching(/^\d{10}$/),
      fetchedAt: expect.any(Number),
    });
    expect(h.store.findConfig('acme', 'telegram', id)?.botIdentity).toEqual(res.body);
    // Token removed from the draft: the provider cannot be asked, the stored identity comes back.
    await h.api.patch(path, { auth: { integrationAuthMetadataId: 'bot_token', parameters: {} } });
    const again = await h.api.post(`${path}:refreshIdentity`);
    expect(again.body).toEqual(res.body);
    expect((await h.api.get(path)).body.modifiedAt).toBeGreaterThan(modifiedAt);
  });

  it('refresh-identity-persisted: null before any identity was resolved, and for providers without a lookup', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h, null);
    const res = await h.api.post(`${path}:refreshIdentity`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('null');
    const twilio = await h.api.post(configsPath('twilio'), {
      displayName: 'Line',
      auth: { integrationAuthMetadataId: 'basic', parameters: { account_sid: 'AC1', auth_token: 't' } },
    });
    const none = await h.api.post(`${configsPath('twilio')}/${twilio.body.id}:refreshIdentity`);
    expect(none.status).toBe(200);
    expect(none.body).toBeNull();
  });

  it('refresh-identity-faked: the same handle on every refresh, a new fetchedAt, and modifiedAt untouched', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    const modifiedAt = (await h.api.get(path)).body.modifiedAt;
    const first = await h.api.post(`${path}:refreshIdentity`);
    const second = await h.api.post(`${path}:refreshIdentity`);
    expect(second.body.handle).toBe(first.body.handle);
    expect(second.body.fetchedAt).toBeGreaterThan(first.body.fetchedAt);
    expect((await h.api.get(path)).body.modifiedAt).toBe(modifiedAt);
  });

  it('refresh-identity-persisted: Slack answers with a U… member id', async () => {
    const h = await makeHarness();
    const config = await h.api.post(configsPath('slack'), { displayName: 'x', auth: TOKEN_AUTH });
    const res = await h.api.post(`${configsPath('slack')}/${config.body.id}:refreshIdentity`);
    expect(res.body.providerId).toMatch(/^U[A-Z0-9]{10}$/);
  });
});

describe('GET …/configs/{config}/publishedRevision', () => {
  it('published-revision-get: 400 before the first publish, then the revision publishedRevisionId points at', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    expectProblem(await h.api.get(`${path}/publishedRevision`), 400, 'CONFIG_NOT_PUBLISHED');
    const v1 = await h.api.post(`${path}:publish`, { note: 'one' });
    await h.api.post(`${path}:publish`, { note: 'two' });
    expect((await h.api.get(`${path}/publishedRevision`)).body).toMatchObject({ version: 2, note: 'two' });
    await h.api.post(`${path}:rollback`, { revisionId: v1.body.id });
    const res = await h.api.get(`${path}/publishedRevision`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: v1.body.id, version: 1, auth: { parameters: {} } });
    expect(res.text).not.toContain('secret-bot-token');
  });

  it('published-revision-path: served under the config, 404 for an unknown config or another tenant', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    await h.api.post(`${path}:publish`);
    expectProblem(await h.as('globex').get(`${path}/publishedRevision`), 404);
    expectProblem(await h.api.get(`${configsPath('telegram')}/00000000-0000-4000-8000-000000000000/publishedRevision`), 404);
    expectProblem(await h.api.get(`/integrations/nope/configs/00000000-0000-4000-8000-000000000000/publishedRevision`), 404);
  });
});

describe('the credentials provider calls use', () => {
  it('webhook-inspect: reports nothing registered before an apply, and the applied URL after it', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h);
    expect((await h.api.post(`${path}:inspectWebhook`, {})).body).toMatchObject({ providerHasUrl: false, providerReportedUrl: null });
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl });
    expect((await h.api.post(`${path}:inspectWebhook`, {})).body).toMatchObject({ providerHasUrl: true, providerReportedUrl: minted.body.webhookUrl });
  });

  it('provider-calls-use-draft-credentials: a token added to the draft works at once, without a publish', async () => {
    const h = await makeHarness();
    const { path } = await telegramConfig(h, null);
    const minted = await h.api.post(`${path}:generateWebhookUrl`);
    expect((await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl })).body.applied).toBe(false);
    await h.api.patch(path, { auth: TOKEN_AUTH });
    expect((await h.api.get(path)).body.publishedRevisionId).toBeNull();
    expect((await h.api.post(`${path}:applyWebhookToProvider`, { webhookUrl: minted.body.webhookUrl })).body.applied).toBe(true);
    expect((await h.api.post(`${path}:refreshIdentity`)).body).not.toBeNull();
  });
});
