import type { ServiceDeps } from '../../deps.js';
import { nameUuid } from '../../generate/generator.js';
import { problem, type FieldErrors } from '../../http/problems.js';
import { guidKey } from '../../store/store.js';
import type { BindingRecord, ParticipantChannel, ParticipantKind, ParticipantRecord } from '../../store/types.js';
import { findLiveAgent, visibleBindings } from '../agents/service.js';
import { checkLength } from './limits.js';

export type ChannelInput = {
  integrationConfigId?: string | null;
  address: string;
  priority?: number;
  label?: string | null;
  disabled?: boolean;
};

export type CreateParticipantBody = {
  kind?: ParticipantKind | 'UNSPECIFIED';
  displayName: string;
  email?: string | null;
  relatedAgentId?: string | null;
  avatarFileId?: string | null;
  channels?: ChannelInput[] | null;
  agentIds?: string[] | null;
};

export type UpdateParticipantBody = {
  kind?: unknown;
  displayName?: string | null;
  email?: string | null;
  relatedAgentId?: string | null;
  avatarFileId?: string | null;
  channels?: ChannelInput[] | null;
  agentIds?: string[] | null;
};

/** The participant of this tenant, or 404 (rule tenant-isolation). */
export function participantOr404(deps: ServiceDeps, tenant: string, id: string): ParticipantRecord {
  const participant = deps.store.findParticipant(tenant, id);
  if (!participant) throw problem('notFound', `Participant '${id}' was not found.`);
  return participant;
}

/** Rule participant-create-atomic: every check runs first, then the participant and its bindings are written together. */
export async function createParticipant(
  deps: ServiceDeps,
  tenant: string,
  body: CreateParticipantBody,
): Promise<ParticipantRecord> {
  checkLengths(body, 'create');
  const channels = checkReferences(deps, tenant, body, []);
  const agentIds = unique(body.agentIds ?? []);

  return deps.store.mutate(() => {
    const now = deps.clock();
    const participant: ParticipantRecord = {
      id: deps.generator.uuid(deps.store.nextSequence()),
      tenant,
      // Rule participant-kind-fixed: omitted or UNSPECIFIED is stored as PERSON.
      kind: !body.kind || body.kind === 'UNSPECIFIED' ? 'PERSON' : body.kind,
      displayName: body.displayName,
      email: body.email ?? null,
      relatedAgentId: body.relatedAgentId ?? null,
      avatarFileId: body.avatarFileId ? body.avatarFileId : null,
      channels: channels ?? [],
      disabledAt: null,
      createdAt: now,
      modifiedAt: now,
    };
    deps.store.putParticipant(participant);
    for (const agentId of agentIds) deps.store.putBinding(newBinding(deps, participant, agentId, now));
    return participant;
  });
}

/** Rule participant-patch-semantics; checked in full before anything is written (rule participant-create-atomic). */
export async function updateParticipant(
  deps: ServiceDeps,
  tenant: string,
  id: string,
  body: UpdateParticipantBody,
): Promise<ParticipantRecord> {
  const current = participantOr404(deps, tenant, id);
  // Rule participant-kind-fixed.
  if (Object.hasOwn(body, 'kind')) {
    throw problem('immutableField', `kind is fixed at creation (this participant is ${current.kind}); delete and recreate the participant to change it.`, {
      errors: { kind: ['cannot be changed after creation'] },
    });
  }
  checkLengths(body, 'update');
  const channels = checkReferences(deps, tenant, body, current.channels, current.relatedAgentId);

  return deps.store.mutate(() => {
    const now = deps.clock();
    const next: ParticipantRecord = {
      ...current,
      displayName: body.displayName ?? current.displayName,
      email: body.email ?? current.email,
      relatedAgentId: body.relatedAgentId ?? current.relatedAgentId,
      // An empty string clears the avatar; null keeps it.
      avatarFileId: body.avatarFileId === '' ? null : (body.avatarFileId ?? current.avatarFileId),
      channels: channels ?? current.channels,
      modifiedAt: now,
    };
    // An avatar the operator sets or clears is no longer the one synced from a channel.
    if (typeof body.avatarFileId === 'string') delete next.avatarSync;
    deps.store.putParticipant(next);
    if (body.agentIds) reconcileBindings(deps, next, unique(body.agentIds), now);
    return next;
  });
}

export async function deleteParticipant(deps: ServiceDeps, tenant: string, id: string): Promise<void> {
  const participant = participantOr404(deps, tenant, id);
  // Rule participant-delete-cascades-bindings.
  await deps.store.mutate(() => deps.store.deleteParticipant(participant.id));
}

/** Rule participant-enable-disable: clears disabledAt; a no-op when it is already clear. */
export async function enableParticipant(deps: ServiceDeps, tenant: string, id: string): Promise<ParticipantRecord> {
  const current = participantOr404(deps, tenant, id);
  // Channels are kept as they are: :enable leaves each channel's own `disabled` flag alone.
  return current.disabledAt === null ? current : switchParticipant(deps, current, 'enable');
}

/** Rule participant-enable-disable: sets disabledAt; disabling again keeps the first timestamp. */
export async function disableParticipant(deps: ServiceDeps, tenant: string, id: string): Promise<ParticipantRecord> {
  const current = participantOr404(deps, tenant, id);
  return current.disabledAt !== null ? current : switchParticipant(deps, current, 'disable');
}

function switchParticipant(deps: ServiceDeps, current: ParticipantRecord, to: 'enable' | 'disable') {
  return deps.store.mutate(() => {
    const now = deps.clock();
    const next = { ...current, disabledAt: to === 'disable' ? now : null, modifiedAt: now };
    deps.store.putParticipant(next);
    return next;
  });
}

/** A new binding with empty roster metadata. Call inside a mutation. */
export function newBinding(deps: ServiceDeps, participant: ParticipantRecord, agentId: string, now: number): BindingRecord {
  return {
    id: deps.generator.uuid(deps.store.nextSequence()),
    tenant: participant.tenant,
    tenantId: nameUuid(participant.tenant),
    participantId: participant.id,
    agentId,
    roles: [],
    consultAllowed: false,
    maxUrgency: 'NORMAL',
    defaultForRoles: [],
    createdAt: now,
    modifiedAt: now,
  };
}

/** Bindings become exactly `agentIds`: kept ones keep their id and roster data. Call inside a mutation. */
function reconcileBindings(deps: ServiceDeps, participant: ParticipantRecord, agentIds: string[], now: number): void {
  // Rule deleted-agent-references-hidden: bindings to a deleted agent are not the caller's to reconcile.
  const existing = visibleBindings(deps, participant.tenant, deps.store.listBindings(participant.tenant, { participantId: participant.id }));
  for (const binding of existing) {
    if (!agentIds.includes(binding.agentId)) deps.store.deleteBinding(binding.id);
  }
  for (const agentId of agentIds) {
    if (!existing.some((b) => b.agentId === agentId)) deps.store.putBinding(newBinding(deps, participant, agentId, now));
  }
}

/** Rule lengths-count-utf16. The PATCH page shows `displayName` `length <= 150` with no minimum. */
function checkLengths(body: UpdateParticipantBody, operation: 'create' | 'update'): void {
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  checkLength(errors, 'displayName', body.displayName, operation === 'create' ? 'displayName' : 'patchedDisplayName');
  checkLength(errors, 'email', body.email, 'email');
  (body.channels ?? []).forEach((channel, index) => {
    checkLength(errors, `channels[${index}].address`, channel.address, 'address');
  });
  const fields = Object.keys(errors);
  if (fields.length > 0) {
    throw problem('validation', `Too long or too short (lengths count UTF-16 code units): ${fields.join(', ')}.`, { errors });
  }
}

/**
 * Rule participant-create-atomic: every agent id must be an agent of the tenant and every channel's config
 * a config of the tenant. All offenders are named at once. Returns the channels to store, or undefined
 * when the body has none. Rule channel-config-optional: a channel may have no config (null or omitted).
 * Rule orphaned-channel-round-trips: a config id the participant already has on a channel is accepted even
 * when that config was deleted since, so a read can be sent back unchanged.
 */
function checkReferences(
  deps: ServiceDeps,
  tenant: string,
  body: UpdateParticipantBody,
  current: readonly ParticipantChannel[],
  currentRelatedAgentId: string | null = null,
): ParticipantChannel[] | undefined {
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  const offenders: string[] = [];
  const reject = (field: string, value: string, what: string) => {
    errors[field] = [`'${value}' is not ${what} of this tenant`];
    offenders.push(`${field}: '${value}' is not ${what} of tenant '${tenant}'`);
  };
  (body.agentIds ?? []).forEach((agentId, index) => {
    if (!findLiveAgent(deps, tenant, agentId)) reject(`agentIds[${index}]`, agentId, 'an agent');
  });
  // Rule deleted-agent-references-hidden: the backing agent the participant already has may be sent back while it is deleted.
  const keptAgent = body.relatedAgentId === currentRelatedAgentId;
  if (typeof body.relatedAgentId === 'string' && !keptAgent && !findLiveAgent(deps, tenant, body.relatedAgentId)) {
    reject('relatedAgentId', body.relatedAgentId, 'an agent');
  }
  const held = new Set(current.map((c) => c.integrationConfigId));
  (body.channels ?? []).forEach((channel, index) => {
    const id = channel.integrationConfigId;
    if (id === undefined || id === null || held.has(guidKey(id))) return;
    if (!deps.store.findTenantConfig(tenant, id)) reject(`channels[${index}].integrationConfigId`, id, 'an integration config');
  });
  if (offenders.length > 0) {
    throw problem('invalidReference', `Nothing was saved. ${offenders.join('. ')}.`, { errors });
  }
  return body.channels?.map((c) => ({
    // Rule ids-case-insensitive: stored in the lower-case form.
    integrationConfigId: c.integrationConfigId ? guidKey(c.integrationConfigId) : null,
    address: c.address,
    priority: c.priority ?? 0,
    label: c.label ?? null,
    disabled: c.disabled ?? false,
  }));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
