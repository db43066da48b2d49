import type { ServiceDeps } from '../../deps.js';
import { noContent, ok, type Call, type Handlers } from '../../http/handler.js';
import { LIST_PAGING, paginate } from '../../http/paging.js';
import type { ParticipantRecord } from '../../store/types.js';
import { visibleBindings } from '../agents/service.js';
import { bindAgent, rosterOf, unbindAgent, updateRoster, type RosterBody } from './bindings.js';
import {
  createParticipant,
  deleteParticipant,
  disableParticipant,
  enableParticipant,
  participantOr404,
  updateParticipant,
  type CreateParticipantBody,
  type UpdateParticipantBody,
} from './service.js';
import { toBindingView, toParticipantView, toRosterEntry } from './view.js';

/** Participants: the people, groups and AI agents agents talk to, their channels and agent bindings. */
export function participantHandlers(deps: ServiceDeps): Handlers {
  const view = (participant: ParticipantRecord) => ok(toParticipantView(deps, participant));
  // Rule ids-case-insensitive: the store matches the id whatever its case.
  const idOf = (call: Call) => call.params.participant!;

  return {
    listParticipants: ({ tenant, query }) => {
      const agentId = typeof query.agentId === 'string' ? query.agentId : undefined;
      // Rule deleted-agent-references-hidden: a deleted agent has no participants to show.
      const bound = agentId === undefined ? undefined : new Set(visibleBindings(deps, tenant, deps.store.listBindings(tenant, { agentId })).map((b) => b.participantId));
      const participants = deps.store.listParticipants(tenant).filter((p) => !bound || bound.has(p.id));
      return ok(participants.map((p) => toParticipantView(deps, p)));
    },

    createParticipant: async (call) => view(await createParticipant(deps, call.tenant, call.body as CreateParticipantBody)),

    getParticipant: (call) => view(participantOr404(deps, call.tenant, idOf(call))),

    updateParticipant: async (call) =>
      view(await updateParticipant(deps, call.tenant, idOf(call), call.body as UpdateParticipantBody)),

    deleteParticipant: async (call) => {
      await deleteParticipant(deps, call.tenant, idOf(call));
      return noContent();
    },

    enableParticipant: async (call) => view(await enableParticipant(deps, call.tenant, idOf(call))),

    disableParticipant: async (call) => view(await disableParticipant(deps, call.tenant, idOf(call))),

    bindParticipant: async (call) => {
      const { binding, participant } = await bindAgent(deps, call.tenant, idOf(call), call.params.binding!);
      return ok(toBindingView(deps, binding, participant));
    },

    unbindParticipant: async (call) => {
      await unbindAgent(deps, call.tenant, idOf(call), call.params.binding!);
      return noContent();
    },

    updateParticipantRoster: async (call) => {
      const { binding, participant } = await updateRoster(deps, call.tenant, idOf(call), call.params.binding!, call.body as RosterBody);
      return ok(toRosterEntry(binding, participant));
    },

    consultRoster: ({ tenant, query }) => {
      const rows = rosterOf(deps, tenant, String(query.agentId)).map(({ binding, participant }) => toRosterEntry(binding, participant));
      return ok(paginate(rows, query, LIST_PAGING));
    },
  };
}
