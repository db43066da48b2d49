import { expect } from 'vitest';
import { configsPath, type Harness } from './helpers.js';

export const P = '/participants';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A well-formed id no tenant has. */
export const NEVER_ISSUED = '00000000-0000-4000-8000-000000000000';

export type ParticipantBody = Record<string, unknown> & {
  id: string;
  agentIds: string[];
  channels: Record<string, unknown>[];
  health: { reachable: boolean; reason: string | null; channels: Record<string, unknown>[] };
  channelActivations: Record<string, unknown>[];
};

/** Creates an integration config in the tenant and returns its id. */
export async function configOf(h: Harness, integration = 'twilio', tenant = 'acme'): Promise<string> {
  const res = await h.as(tenant).post(configsPath(integration), { displayName: `${integration} config` });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

/** Creates a participant in `acme`, asserting the 200. */
export async function createParticipant(h: Harness, body: Record<string, unknown>): Promise<ParticipantBody> {
  const res = await h.api.post(P, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as ParticipantBody;
}
