import type { ServiceDeps } from '../../deps.js';
import { fieldError, problem, type FieldErrors } from '../../http/problems.js';
import type { AccessRequestRecord } from '../../store/types.js';
import { findTenantIntegration } from '../catalog/integrations.js';
import { agentExists } from './agents.js';

/** A message that reached a config from a sender, as the provider's webhook reports it. */
export type InboundMessage = {
  tenant: string;
  integrationConfigId: string;
  address: string;
  agentId: string;
  displayName?: string | null;
  conversationName?: string | null;
  text?: string | null;
};

/** What became of an inbound message: the participants it reached, or the access request it opened. */
export type InboundOutcome = {
  delivered: { agentId: string; participantId: string }[];
  accessRequests: AccessRequestRecord[];
};

/**
 * Rule inbound-opens-access-request: a message from a sender no participant bound to the agent covers opens
 * a PENDING access request (matching a participant that has the channel but no binding; rule
 * inbound-skips-disabled-participants leaves disabled ones out). Rule access-request-pending-reused: while
 * that sender's request is pending, more messages add no row; after a decision, the next one opens a new row.
 */
export async function receiveInbound(deps: ServiceDeps, message: InboundMessage): Promise<InboundOutcome> {
  const { tenant } = message;
  const config = deps.store.findTenantConfig(tenant, message.integrationConfigId);
  const integration = config && findTenantIntegration(deps, tenant, config.integrationId);
  if (!config || !integration) throw problem('notFound', `Integration config '${message.integrationConfigId}' was not found in tenant '${tenant}'.`);
  if (!agentExists(deps, tenant, message.agentId)) {
    throw problem('invalidReference', `'${message.agentId}' is not an agent of tenant '${tenant}'.`, { errors: fieldError('agentId', 'is not an agent of this tenant') });
  }
  const holders = deps.store
    .listParticipants(tenant)
    .filter((p) => p.disabledAt === null && p.channels.some((c) => c.integrationConfigId === config.id && c.address === message.address));
  const bound = holders.filter((p) => deps.store.findBinding(tenant, p.id, message.agentId));
  if (bound.length > 0) return { delivered: bound.map((p) => ({ agentId: message.agentId, participantId: p.id })), accessRequests: [] };

  const pending = deps.store
    .listAccessRequests(tenant)
    .find((r) => r.status === 'PENDING' && r.integrationConfigId === config.id && r.address === message.address && r.agentId === message.agentId);
  if (pending) return { delivered: [], accessRequests: [pending] };

  const created = await deps.store.mutate(() => {
    const now = deps.clock();
    const record: AccessRequestRecord = {
      id: deps.generator.uuid(deps.store.nextSequence()),
      tenant,
      integrationConfigId: config.id,
      provider: integration.provider,
      address: message.address,
      agentId: message.agentId,
      matchedParticipantId: holders[0]?.id ?? null,
      displayName: message.displayName ?? null,
      conversationName: message.conversationName ?? null,
      status: 'PENDING',
      processedBy: null,
      processedAt: null,
      processingNote: null,
      approvedParticipantId: null,
      createdAt: now,
      modifiedAt: now,
    };
    deps.store.putAccessRequest(record);
    return record;
  });
  return { delivered: [], accessRequests: [created] };
}

/** The sender of a provider's webhook payload, or undefined when the payload is not a message. */
export type Sender = { address: string; displayName: string | null; conversationName: string | null; text: string | null };

/**
 * Rule inbound-webhook-url: a Telegram update (`message`, `edited_message` or `channel_post`; the
 * address is the chat id) or a Slack `event_callback` whose event is a message (the address is the user id).
 */
export function senderOf(provider: string, payload: unknown): Sender | undefined {
  const body = asObject(payload);
  if (provider === 'telegram') {
    const message = asObject(body.message ?? body.edited_message ?? body.channel_post);
    const chat = asObject(message.chat);
    if (typeof chat.id !== 'number' && typeof chat.id !== 'string') return undefined;
    const from = asObject(message.from);
    const name = [from.first_name, from.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
    return {
      address: String(chat.id),
      displayName: name || (typeof from.username === 'string' ? from.username : null) || (typeof chat.title === 'string' ? chat.title : null),
      conversationName: chat.type === 'private' || typeof chat.title !== 'string' ? null : chat.title,
      text: typeof message.text === 'string' ? message.text : null,
    };
  }
  if (provider === 'slack') {
    const event = asObject(body.event);
    if (body.type !== 'event_callback' || event.type !== 'message' || typeof event.user !== 'string') return undefined;
    const profile = asObject(event.user_profile);
    return {
      address: event.user,
      displayName: typeof profile.real_name === 'string' ? profile.real_name : null,
      conversationName: event.channel_type === 'im' || typeof event.channel !== 'string' ? null : event.channel,
      text: typeof event.text === 'string' ? event.text : null,
    };
  }
  return undefined;
}

/** The body of `POST /__mock/inbound-messages`, checked. */
export function inboundFromControl(body: unknown): InboundMessage {
  const input = asObject(body);
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  for (const field of ['tenant', 'integrationConfigId', 'address', 'agentId']) {
    if (typeof input[field] !== 'string' || input[field] === '') errors[field] = ['is required'];
  }
  if (Object.keys(errors).length > 0) throw problem('validation', 'The inbound message is not valid.', { errors });
  const optional = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : null);
  return {
    tenant: input.tenant as string,
    integrationConfigId: input.integrationConfigId as string,
    address: input.address as string,
    agentId: input.agentId as string,
    displayName: optional('displayName'),
    conversationName: optional('conversationName'),
    text: optional('text'),
  };
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
