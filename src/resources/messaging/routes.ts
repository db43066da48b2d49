import type { ServiceDeps } from '../../deps.js';
import { ok, type Handlers } from '../../http/handler.js';
import { toParticipantView } from '../participants/view.js';
import {
  accessRequestOr404,
  approveAccessRequest,
  listAccessRequests,
  rejectAccessRequest,
  type AccessRequestFilter,
  type ApproveBody,
  type RejectBody,
} from './access-requests.js';
import { syncAvatarFromChannel, type AvatarSyncBody } from './avatar.js';
import { dryRunSend, sendToParticipant, type DryRunSendBody, type SendBody } from './send.js';
import { toAccessRequestView } from './view.js';

/** Participant messaging: outbound sends, avatar sync, and the access requests inbound messages open. */
export function messagingHandlers(deps: ServiceDeps): Handlers {
  return {
    sendParticipantMessage: (call) => ok(sendToParticipant(deps, call.tenant, call.params.participant!, call.body as SendBody)),

    dryRunSendParticipantMessage: (call) => ok(dryRunSend(deps, call.tenant, call.body as DryRunSendBody)),

    syncParticipantAvatarFromChannel: async (call) => {
      const participant = await syncAvatarFromChannel(deps, { tenant: call.tenant, baseUrl: call.baseUrl }, call.params.participant!, call.body as AvatarSyncBody);
      return ok(toParticipantView(deps, participant));
    },

    listParticipantAccessRequests: ({ tenant, query }) => {
      const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
      const filter = { agentId: text('AgentId'), status: text('Status'), participantId: text('ParticipantId') } as AccessRequestFilter;
      return ok(listAccessRequests(deps, tenant, filter).map(toAccessRequestView));
    },

    getParticipantAccessRequest: (call) => ok(toAccessRequestView(accessRequestOr404(deps, call.tenant, call.params.participantAccessRequest!))),

    approveParticipantAccessRequest: async (call) =>
      ok(toAccessRequestView(await approveAccessRequest(deps, call.tenant, call.params.participantAccessRequest!, (call.body ?? {}) as ApproveBody, call.user))),

    rejectParticipantAccessRequest: async (call) =>
      ok(toAccessRequestView(await rejectAccessRequest(deps, call.tenant, call.params.participantAccessRequest!, (call.body ?? {}) as RejectBody, call.user))),
  };
}
