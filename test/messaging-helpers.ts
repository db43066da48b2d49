import { expect } from 'vitest';
import { configsPath, type Harness } from './helpers.js';

export const BOT_AUTH = { integrationAuthMetadataId: 'bot_token', parameters: { token: 'xoxb-1' } };

/** A config on `integration` with working bot-token credentials, published unless `published: false`. */
export async function messagingConfig(h: Harness, integration: string, options: { published?: boolean; auth?: boolean; tenant?: string } = {}): Promise<string> {
  const client = h.as(options.tenant ?? 'acme');
  const created = await client.post(configsPath(integration), { displayName: `${integration} bot`, ...(options.auth === false ? {} : { auth: BOT_AUTH }) });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const id = created.body.id as string;
  if (options.published !== false) expect((await client.post(`${configsPath(integration)}/${id}:publish`, {})).status).toBe(200);
  return id;
}

/** Makes the simulated provider answer sends to `address` with `outcome`. */
export async function scriptAnswer(h: Harness, address: string, outcome = 'FAILED', extra: Record<string, unknown> = {}) {
  const res = await h.mock.post('/provider-answers', { tenant: 'acme', address, outcome, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Record<string, unknown>;
}

/** An inbound message through the control plane; returns its outcome. */
export async function inbound(h: Harness, body: Record<string, unknown>) {
  const res = await h.mock.post('/inbound-messages', { tenant: 'acme', agentId: 'support_bot', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { delivered: { agentId: string; participantId: string }[]; accessRequests: Record<string, unknown>[] };
}
