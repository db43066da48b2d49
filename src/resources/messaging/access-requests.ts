import type { ServiceDeps } from '../../deps.js';
import { fieldError, problem } from '../../http/problems.js';
import { guidKey } from '../../store/store.js';
import type { AccessRequestRecord, AccessRequestStatus, ParticipantRecord } from '../../store/types.js';
import { newBinding } from '../participants/service.js';
import { agentExists } from './agents.js';

export type ApproveMode = 'UNSPECIFIED' | 'CREATE_NEW' | 'ADD_TO_EXISTING' | 'BIND_ONLY';
export type ApproveBody = { mode?: ApproveMode; displayName?: string | null; participantId?: string | null; note?: string | null };
export type RejectBody = { note?: string | null };
export type AccessRequestFilter = { agentId?: string; status?: AccessRequestStatus | 'UNSPECIFIED'; participantId?: string };

/** The access request of this tenant, or 404. */
export function accessRequestOr404(deps: ServiceDeps, tenant: string, id: string): AccessRequestRecord {
  const request = deps.store.findAccessRequest(tenant, id);
  if (!request) throw problem('notFound', `Participant access request '${id}' was not found.`);
  return request;
}

/** Rule access-request-list-filters: every match, unpaged, in creation order; the filters AND together. */
export function listAccessRequests(deps: ServiceDeps, tenant: string, filter: AccessRequestFilter): AccessRequestRecord[] {
  const participantId = filter.participantId === undefined ? undefined : guidKey(filter.participantId);
  return deps.store.listAccessRequests(tenant).filter(
    (r) =>
      (filter.agentId === undefined || r.agentId === filter.agentId) &&
      (filter.status === undefined || filter.status === 'UNSPECIFIED' || r.status === filter.status) &&
      (participantId === undefined || r.matchedParticipantId === participantId || r.approvedParticipantId === participantId),
  );
}

/**
 * Rules access-request-approve-modes, access-request-needs-pending, access-request-mode-fields: checks run
 * first, then the participant, channel, binding and the row are written together.
 */
export async function approveAccessRequest(deps: ServiceDeps, tenant: string, id: string, body: ApproveBody, user: string): Promise<AccessRequestRecord> {
  const request = pendingOr400(deps, tenant, id);
  const mode = body.mode ?? 'UNSPECIFIED';
  if (mode === 'UNSPECIFIED') {
    throw problem('validation', 'Say how to commit the request: mode CREATE_NEW, ADD_TO_EXISTING or BIND_ONLY.', {
      errors: fieldError('mode', 'is required (CREATE_NEW, ADD_TO_EXISTING or BIND_ONLY)'),
    });
  }
  const target = targetOf(deps, request, mode, body);
  // Rule access-request-references-checked: what the request points at may be gone by now.
  if (!agentExists(deps, tenant, request.agentId)) {
    throw problem('invalidReference', `The request's agent '${request.agentId}' no longer exists; reject the request instead.`);
  }
  if (mode !== 'BIND_ONLY' && !deps.store.findTenantConfig(tenant, request.integrationConfigId)) {
    throw problem('invalidReference', `The request's integration config '${request.integrationConfigId}' no longer exists; reject the request instead.`);
  }

  return deps.store.mutate(() => {
    const now = deps.clock();
    const participant = target ?? createPerson(deps, request, body.displayName, now);
    if (mode === 'ADD_TO_EXISTING') addChannel(deps, participant, request, now);
    if (!deps.store.findBinding(tenant, participant.id, request.agentId)) {
      deps.store.putBinding(newBinding(deps, participant, request.agentId, now));
    }
    const next: AccessRequestRecord = {
      ...processed(request, 'APPROVED', user, body.note, now),
      approvedParticipantId: participant.id,
    };
    deps.store.putAccessRequest(next);
    return next;
  });
}

/** Rule access-request-reject-soft: the row is closed; the next message from the sender opens a new one. */
export async function rejectAccessRequest(deps: ServiceDeps, tenant: string, id: string, body: RejectBody, user: string): Promise<AccessRequestRecord> {
  const request = pendingOr400(deps, tenant, id);
  return deps.store.mutate(() => {
    const next = processed(request, 'REJECTED', user, body.note, deps.clock());
    deps.store.putAccessRequest(next);
    return next;
  });
}

function pendingOr400(deps: ServiceDeps, tenant: string, id: string): AccessRequestRecord {
  const request = accessRequestOr404(deps, tenant, id);
  if (request.status !== 'PENDING') {
    throw problem('accessRequestNotPending', `Access request '${request.id}' is ${request.status}, not PENDING; a decision is final.`);
  }
  return request;
}

/** The existing participant the mode commits to (none for CREATE_NEW), or the documented 400. */
function targetOf(deps: ServiceDeps, request: AccessRequestRecord, mode: ApproveMode, body: ApproveBody): ParticipantRecord | undefined {
  if (mode === 'ADD_TO_EXISTING') {
    if (!body.participantId) {
      throw problem('validation', 'ADD_TO_EXISTING needs the participant to extend: send participantId.', {
        errors: fieldError('participantId', 'is required in ADD_TO_EXISTING mode'),
      });
    }
    const participant = deps.store.findParticipant(request.tenant, body.participantId);
    if (!participant) {
      throw problem('invalidReference', `'${body.participantId}' is not a participant of tenant '${request.tenant}'.`, {
        errors: fieldError('participantId', 'is not a participant of this tenant'),
      });
    }
    return participant;
  }
  if (mode === 'BIND_ONLY') {
    if (request.matchedParticipantId === null) {
      throw problem('validation', 'BIND_ONLY needs a matched participant, and this request has none: use CREATE_NEW or ADD_TO_EXISTING.', {
        errors: fieldError('mode', 'BIND_ONLY needs a request with a matched participant'),
      });
    }
    const participant = deps.store.findParticipant(request.tenant, request.matchedParticipantId);
    if (!participant) {
      throw problem('invalidReference', `The matched participant '${request.matchedParticipantId}' no longer exists; use CREATE_NEW.`);
    }
    return participant;
  }
  return undefined;
}

/** CREATE_NEW: a PERSON with the request's channel, named by the operator, else the sender, else the address. */
function createPerson(deps: ServiceDeps, request: AccessRequestRecord, name: string | null | undefined, now: number): ParticipantRecord {
  const participant: ParticipantRecord = {
    id: deps.generator.uuid(deps.store.nextSequence()),
    tenant: request.tenant,
    kind: 'PERSON',
    displayName: (name || request.displayName || request.address).slice(0, 150),
    email: null,
    relatedAgentId: null,
    avatarFileId: null,
    channels: [{ integrationConfigId: request.integrationConfigId, address: request.address, priority: 0, label: null, disabled: false }],
    disabledAt: null,
    createdAt: now,
    modifiedAt: now,
  };
  deps.store.putParticipant(participant);
  return participant;
}

/** ADD_TO_EXISTING: appends the request's channel unless the participant has it already. */
function addChannel(deps: ServiceDeps, participant: ParticipantRecord, request: AccessRequestRecord, now: number): void {
  const has = participant.channels.some((c) => c.integrationConfigId === request.integrationConfigId && c.address === request.address);
  if (has) return;
  const channel = { integrationConfigId: request.integrationConfigId, address: request.address, priority: 0, label: null, disabled: false };
  deps.store.putParticipant({ ...participant, channels: [...participant.channels, channel], modifiedAt: now });
}

function processed(request: AccessRequestRecord, status: AccessRequestStatus, user: string, note: string | null | undefined, now: number): AccessRequestRecord {
  return { ...request, status, processedBy: user, processedAt: now, processingNote: note ?? null, modifiedAt: now };
}
