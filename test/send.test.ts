import { describe, expect, it } from 'vitest';
import { configsPath, expectProblem, makeHarness, type Harness } from './helpers.js';
import { messagingConfig, scriptAnswer } from './messaging-helpers.js';
import { NEVER_ISSUED, P, createParticipant } from './participant-helpers.js';

const send = (h: Harness, id: string, body: Record<string, unknown> = { message: 'hello' }) => h.api.post(`${P}/${id}:send`, body);
const dryRun = (h: Harness, body: Record<string, unknown>) => h.api.post(`${P}:dryRunSend`, body);

describe(':send', () => {
  it('send-unknown-participant-404: an unknown participant is a 404 problem, and another tenant\'s too', async () => {
    const h = await makeHarness();
    expectProblem(await send(h, NEVER_ISSUED), 404, 'NOT_FOUND');
    const p = await createParticipant(h, { displayName: 'Ada' });
    expectProblem(await h.as('globex').post(`${P}/${p.id}:send`, { message: 'hi' }), 404);
  });

  it('send-outcome-sent: a reachable participant is SENT by the simulated provider', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    const p = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: config, address: '123456789' }] });
    const res = await send(h, p.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ outcome: 'SENT' });
  });

  it('send-disabled-participant: a disabled participant is DISABLED, distinct from NO_CHANNEL; :enable restores it', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    const p = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: config, address: '123456789' }] });
    await h.api.post(`${P}/${p.id}:disable`);
    expect((await send(h, p.id)).body).toEqual({ outcome: 'DISABLED' });
    const bare = await createParticipant(h, { displayName: 'Bare' });
    await h.api.post(`${P}/${bare.id}:disable`);
    expect((await send(h, bare.id)).body).toEqual({ outcome: 'DISABLED' });
    await h.api.post(`${P}/${p.id}:enable`);
    expect((await send(h, p.id)).body).toEqual({ outcome: 'SENT' });
  });

  it('send-skips-unusable-channels: no channel, disabled channels, deleted or unpublished configs and bad addresses are NO_CHANNEL', async () => {
    const h = await makeHarness();
    const published = await messagingConfig(h, 'telegram');
    const draft = await messagingConfig(h, 'telegram', { published: false });
    const doomed = await messagingConfig(h, 'telegram');
    const cases: Record<string, unknown>[][] = [
      [],
      [{ integrationConfigId: published, address: '123456789', disabled: true }],
      [{ integrationConfigId: draft, address: '123456789' }],
      [{ integrationConfigId: published, address: 'not-a-chat-id' }],
      [{ address: '123456789' }],
      [{ integrationConfigId: doomed, address: '123456789' }],
    ];
    const ids = [];
    for (const channels of cases) ids.push((await createParticipant(h, { displayName: 'X', channels })).id);
    expect((await h.api.delete(`${configsPath('telegram')}/${doomed}`)).status).toBe(204);
    for (const id of ids) expect((await send(h, id)).body, id).toEqual({ outcome: 'NO_CHANNEL' });
  });

  it('send-channel-order: the lowest priority goes first, list order among equals, skipping unusable ones', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    await scriptAnswer(h, '111111', 'FAILED');
    await scriptAnswer(h, '222222', 'SENT');
    const channel = (address: string, priority: number, extra = {}) => ({ integrationConfigId: config, address, priority, ...extra });
    const low = await createParticipant(h, { displayName: 'A', channels: [channel('222222', 5), channel('111111', 1)] });
    expect((await send(h, low.id)).body).toEqual({ outcome: 'FAILED' });
    const tie = await createParticipant(h, { displayName: 'B', channels: [channel('222222', 1), channel('111111', 1)] });
    expect((await send(h, tie.id)).body).toEqual({ outcome: 'SENT' });
    const skipped = await createParticipant(h, { displayName: 'C', channels: [channel('111111', 0, { disabled: true }), channel('222222', 9)] });
    expect((await send(h, skipped.id)).body).toEqual({ outcome: 'SENT' });
  });

  it('send-provider-override: the named provider\'s channel goes first; an absent provider falls back to the normal order', async () => {
    const h = await makeHarness();
    const telegram = await messagingConfig(h, 'telegram');
    const slack = await messagingConfig(h, 'slack');
    await scriptAnswer(h, 'U0123456789', 'FAILED');
    const p = await createParticipant(h, {
      displayName: 'Ada',
      channels: [{ integrationConfigId: telegram, address: '123456789', priority: 0 }, { integrationConfigId: slack, address: 'U0123456789', priority: 9 }],
    });
    expect((await send(h, p.id, { message: 'hi' })).body).toEqual({ outcome: 'SENT' });
    expect((await send(h, p.id, { message: 'hi', providerOverride: 'slack' })).body).toEqual({ outcome: 'FAILED' });
    expect((await send(h, p.id, { message: 'hi', providerOverride: 'SLACK' })).body).toEqual({ outcome: 'FAILED' });
    expect((await send(h, p.id, { message: 'hi', providerOverride: 'twilio' })).body).toEqual({ outcome: 'SENT' });
    expect((await send(h, p.id, { message: 'hi', providerOverride: null })).body).toEqual({ outcome: 'SENT' });
  });

  it('provider-answers-scripted: each outcome can be scripted per address, replaced, listed and cleared', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    const p = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: config, address: '123456789' }] });
    for (const outcome of ['FAILED', 'NO_CHANNEL', 'DISABLED', 'SENT']) {
      await scriptAnswer(h, '123456789', outcome);
      expect((await send(h, p.id)).body).toEqual({ outcome });
    }
    expect((await h.mock.get('/provider-answers?tenant=acme')).body.items).toHaveLength(1);
    expect((await h.mock.post('/provider-answers', { tenant: 'acme', address: 'x', outcome: 'LOST' })).status).toBe(400);
    expect((await h.mock.delete('/provider-answers?tenant=acme')).status).toBe(204);
    expect((await h.mock.get('/provider-answers')).body.items).toEqual([]);
  });

  it('send-stores-nothing: a send changes nothing in the store, whatever its outcome', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    const p = await createParticipant(h, { displayName: 'Ada', channels: [{ integrationConfigId: config, address: '123456789' }] });
    const before = JSON.stringify(h.store.snapshot());
    await send(h, p.id);
    await send(h, p.id, { message: 'hi', providerOverride: 'slack' });
    await send(h, NEVER_ISSUED);
    expect(JSON.stringify(h.store.snapshot())).toBe(before);
  });

  it('send-message-required: message is required (it may be null) and unknown fields are a 400 with field errors', async () => {
    const h = await makeHarness();
    const p = await createParticipant(h, { displayName: 'Ada' });
    const missing = expectProblem(await send(h, p.id, {}), 400);
    expect(Object.keys(missing.errors as object).join()).toMatch(/message/);
    expectProblem(await send(h, p.id, { message: 'hi', colour: 'teal' }), 400);
    expect((await send(h, p.id, { message: null })).body).toEqual({ outcome: 'NO_CHANNEL' });
  });
});

describe(':dryRunSend', () => {
  it('dry-run-address-format: an address that does not fit the integration is a 400 carrying its hint', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    const body = expectProblem(await dryRun(h, { integrationConfigId: config, address: '@ada', message: 'hi' }), 400, 'INVALID_ADDRESS');
    expect(body.detail).toContain('numeric Telegram chat id');
    expect((body.errors as Record<string, string[]>).address![0]).toContain('numeric Telegram chat id');
  });

  it('dry-run-stores-nothing: a valid address is sent with no participant, binding or audit row', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    const before = JSON.stringify(h.store.snapshot());
    const res = await dryRun(h, { integrationConfigId: config, address: '123456789', message: 'hi' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ outcome: 'SENT', providerMessageId: expect.any(String), errorCode: null, errorMessage: null });
    expect(JSON.stringify(h.store.snapshot())).toBe(before);
    const again = await dryRun(h, { integrationConfigId: config, address: '123456789', message: 'hi' });
    expect(again.body.providerMessageId).toBe(res.body.providerMessageId);
  });

  it('dry-run-config-checked: a config of no tenant, or another tenant\'s, is a 400 INVALID_REFERENCE', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    expectProblem(await dryRun(h, { integrationConfigId: NEVER_ISSUED, address: '123456789', message: 'hi' }), 400, 'INVALID_REFERENCE');
    expectProblem(await h.as('globex').post(`${P}:dryRunSend`, { integrationConfigId: config, address: '123456789', message: 'hi' }), 400, 'INVALID_REFERENCE');
  });

  it('dry-run-lengths: address and message are 1 to 4000 characters, and all three fields are required', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    expectProblem(await dryRun(h, { integrationConfigId: config, address: '123456789', message: '' }), 400);
    expectProblem(await dryRun(h, { integrationConfigId: config, address: '123456789', message: 'x'.repeat(4001) }), 400);
    expectProblem(await dryRun(h, { integrationConfigId: config, address: '', message: 'hi' }), 400);
    expectProblem(await dryRun(h, { address: '123456789', message: 'hi' }), 400);
    expect((await dryRun(h, { integrationConfigId: config, address: '123456789', message: 'x'.repeat(4000) })).status).toBe(200);
  });

  it('dry-run-unpublished-config: a config without a published revision answers NO_CHANNEL with CONFIG_NOT_PUBLISHED', async () => {
    const h = await makeHarness();
    const draft = await messagingConfig(h, 'telegram', { published: false });
    const res = await dryRun(h, { integrationConfigId: draft, address: '123456789', message: 'hi' });
    expect(res.body).toMatchObject({ outcome: 'NO_CHANNEL', providerMessageId: null, errorCode: 'CONFIG_NOT_PUBLISHED' });
  });

  it('provider-answers-scripted: a scripted failure comes back with its error code and message', async () => {
    const h = await makeHarness();
    const config = await messagingConfig(h, 'telegram');
    await scriptAnswer(h, '123456789', 'FAILED', { errorCode: 'chat_not_found', errorMessage: 'Bad Request: chat not found' });
    const res = await dryRun(h, { integrationConfigId: config, address: '123456789', message: 'hi' });
    expect(res.body).toEqual({ outcome: 'FAILED', providerMessageId: null, errorCode: 'chat_not_found', errorMessage: 'Bad Request: chat not found' });
  });
});

describe('dispatch-outcome-values', () => {
  it('dispatch-outcome-values: the spec lists UNSPECIFIED, SENT, NO_CHANNEL, DISABLED and FAILED, and a script outside them is refused', async () => {
    const { loadSpec } = await import('../src/spec.js');
    const schemas = (loadSpec() as unknown as { components: { schemas: Record<string, { enum?: string[] }> } }).components.schemas;
    expect(schemas.DispatchOutcome!.enum).toEqual(['UNSPECIFIED', 'SENT', 'NO_CHANNEL', 'DISABLED', 'FAILED']);
    const h = await makeHarness();
    expectProblem(await h.mock.post('/provider-answers', { tenant: 'acme', address: '1', outcome: 'BOUNCED' }), 400);
  });
});
