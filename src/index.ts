/**
 * fruxon-mock from a test suite: start a mock on a free port, reset it between tests, read what your
 * code sent, make it fail on purpose, close it.
 *
 * ```ts
 * const mock = await startMock();
 * // … point the client under test at mock.url …
 * expect(mock.journal({ operationId: 'createIntegrationConfig' })).toHaveLength(1);
 * await mock.close();
 * ```
 */
import type { ServerOptions } from './config.js';
import type { FaultRule, FaultRuleInput } from './control/faults.js';
import type { LoggedRequest, RequestFilter } from './control/request-log.js';
import { defineAgent, toDefinitionView, type AgentDefinition, type DefinitionBody } from './resources/agents/slots.js';
import { mintOAuthCredentialKey } from './resources/oauth/keys.js';
import { receiveInbound, inboundFromControl, type InboundMessage } from './resources/messaging/inbound.js';
import { scriptProviderAnswer, clearProviderAnswers, type ProviderAnswerInput } from './resources/messaging/provider.js';
import { toAccessRequestView } from './resources/messaging/view.js';
import { startServer } from './server.js';
import type { StoreData } from './store/types.js';

export type { ServerOptions } from './config.js';
export type { ConsentMessage } from './control/consent.js';
export type { FaultRule, FaultRuleInput, FaultTimes } from './control/faults.js';
export type { FaultApplied, LoggedRequest, RequestFilter } from './control/request-log.js';
export type { ValidationMode } from './control/routes.js';
export type { StoreData } from './store/types.js';
export type { InboundMessage } from './resources/messaging/inbound.js';
export type { DispatchOutcome, ProviderAnswerInput } from './resources/messaging/provider.js';

/** What the simulated provider answers sends to one address (see `POST /__mock/provider-answers`). */
export type ProviderAnswer = Required<Omit<ProviderAnswerInput, 'outcome'>> & { outcome: string; createdAt: number };

/** Where a simulated inbound message went (see `POST /__mock/inbound-messages`). */
export type InboundOutcome = {
  delivered: { agentId: string; participantId: string }[];
  accessRequests: Record<string, unknown>[];
};
export type { AgentDefinition, DefinitionBody as AgentDefinitionInput } from './resources/agents/slots.js';

/** Options of `startMock`: those of the CLI, with a free port and an in-memory store by default. */
export type MockOptions = Partial<ServerOptions>;

/** A running mock, driven in-process. */
export type MockServer = {
  /** `http://127.0.0.1:<port>`; the API is under `${url}/v1`, the control plane under `${url}/__mock`. */
  url: string;
  port: number;
  /**
   * The token `/__mock` requires over HTTP (`controlToken`, or generated with `jwtSecret` or a non-loopback
   * `host`), for `mockClient(url, { token })`; undefined when none is. The methods here need none.
   */
  controlToken: string | undefined;
  /** Back to the fixtures: everything, or one tenant's records, journal entries and fault rules. */
  reset: (options?: { tenant?: string }) => Promise<void>;
  /** The recorded API requests, newest first, credentials redacted. */
  journal: (filter?: RequestFilter) => LoggedRequest[];
  clearJournal: () => void;
  /** Adds a fault rule (`POST /__mock/faults`); throws when the rule is not valid. */
  addFault: (rule: FaultRuleInput) => FaultRule;
  faults: () => FaultRule[];
  clearFaults: () => void;
  /** Mints a single-use `oAuthCredentialKey`, as an approved consent does. */
  mintCredentialKey: (request: { tenant: string; integrationId: string; authMethodId?: string; scopes?: string[] }) => Promise<string>;
  /** Makes the simulated provider answer sends to an address with `outcome` (default FAILED) until cleared or reset. */
  scriptProviderAnswer: (answer: ProviderAnswerInput) => Promise<ProviderAnswer>;
  /** Removes the scripted provider answers (one tenant's with `tenant`). */
  clearProviderAnswers: (options?: { tenant?: string }) => Promise<void>;
  /** A message from `address` reaching a config for an agent: delivered, or it opens an access request. */
  simulateInboundMessage: (message: InboundMessage) => Promise<InboundOutcome>;
  /**
   * Declares what an agent's current revision holds (`PUT /__mock/tenants/{tenant}/agents/{agent}/definition`):
   * its contact slots and integration slots; a list left out is kept. Throws a ProblemError (400, 404) when refused.
   */
  defineAgent: (request: { tenant: string; agentId: string } & DefinitionBody) => Promise<AgentDefinition>;
  /** A snapshot of the store, in-process and so with credential values as stored (`GET /__mock/state?includeSecrets=true`). */
  state: () => StoreData;
  /** Replaces the store (`PUT /__mock/state`); throws when the snapshot is not valid, changing nothing. */
  setState: (state: StoreData) => Promise<void>;
  /** Stops the server, letting in-flight requests finish. */
  close: () => Promise<void>;
};

/** Starts a mock server; `port` 0 (a free port) and `inMemory` are the defaults. */
export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  const server = await startServer({ port: 0, inMemory: true, ...options });
  const { store, control } = server;
  return {
    url: server.url,
    port: server.port,
    controlToken: server.controlToken,
    reset: (opts = {}) => control.reset(store, opts.tenant),
    journal: (filter) => control.journal.list(filter),
    clearJournal: () => control.journal.clear(),
    addFault: (rule) => control.faults.add(rule),
    faults: () => control.faults.list(),
    clearFaults: () => control.faults.clear(),
    mintCredentialKey: async (request) => (await mintOAuthCredentialKey(server.services, request)).key,
    scriptProviderAnswer: async (answer) => {
      const { id: _id, ...view } = await scriptProviderAnswer(server.services, answer);
      return view;
    },
    clearProviderAnswers: async (opts = {}) => {
      await clearProviderAnswers(server.services, opts.tenant);
    },
    simulateInboundMessage: async (message) => {
      const outcome = await receiveInbound(server.services, inboundFromControl(message));
      return { delivered: outcome.delivered, accessRequests: outcome.accessRequests.map(toAccessRequestView) };
    },
    defineAgent: async ({ tenant, agentId, ...definition }) => toDefinitionView(await defineAgent(server.services, tenant, agentId, definition)),
    state: () => store.snapshot(),
    setState: (state) => store.replaceAll(state, { idOf: (sequence) => server.services.generator.uuid(sequence) }),
    close: () => server.close(),
  };
}

export { MockControlError, mockClient, type MockClient, type MockClientOptions } from './client.js';
