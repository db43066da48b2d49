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
import { UsageError, type ServerOptions } from './config.js';
import type { FaultRule, FaultRuleInput, StubInput, StubRule } from './control/faults.js';
import type { LatencySettings } from './control/latency.js';
import type { LoggedRequest, RequestFilter } from './control/request-log.js';
import { defineAgent, toDefinitionView, type AgentDefinition, type DefinitionBody } from './resources/agents/slots.js';
import { importState, setBaseline } from './control/routes.js';
import { verifyRequests, type VerifyInput, type VerifyResult } from './control/verify.js';
import { asKitCall } from './kit-errors.js';
import { mintOAuthCredentialKey } from './resources/oauth/keys.js';
import { simulateInbound, toAnswerView } from './resources/messaging/control-routes.js';
import type { InboundMessage } from './resources/messaging/inbound.js';
import { scriptProviderAnswer, clearProviderAnswers, type ProviderAnswerInput } from './resources/messaging/provider.js';
import { startServer } from './server.js';
import type { StoreData } from './store/types.js';

export type { ServerOptions } from './config.js';
export type { ConsentMessage } from './control/consent.js';
export type { FaultRule, FaultRuleInput, FaultTimes, MockRule, RuleMatchInput, StubInput, StubRule } from './control/faults.js';
export type { Delay, LatencySettings } from './control/latency.js';
export type { FaultApplied, LoggedRequest, RequestFilter } from './control/request-log.js';
export type { ValidationMode } from './control/routes.js';
export type { VerifyInput, VerifyResult, VerifyTimes } from './control/verify.js';
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

/**
 * Options of `startMock`: those of the CLI, with a free port and an in-memory store by default (a `db` alone
 * means a store file). `baseline` is a state snapshot (as `GET /__mock/state` exports it) or a JSON file
 * holding one.
 */
export type MockOptions = Partial<ServerOptions>;

/** How `close` stops the server. */
export type CloseOptions = {
  /** End in-flight requests (delayed ones too) at once, instead of letting them finish for up to 3 s. */
  force?: boolean;
};

/** A running mock, driven in-process. Each method refuses what the control plane refuses, with the error `mockClient` throws. */
export type MockServer = {
  /** `http://127.0.0.1:<port>`; the API is under `${url}/v1`, the control plane under `${url}/__mock`. */
  url: string;
  port: number;
  /**
   * The token `/__mock` requires over HTTP (`controlToken`, or generated with `jwtSecret` or a non-loopback
   * `host`), for `mockClient(url, { token })`; undefined when none is. The methods here need none.
   */
  controlToken: string | undefined;
  /**
   * Back to the baseline (empty without one): everything, or one tenant's records, journal entries and
   * rules. A full reset also clears every fault rule and stub and restores the start-up latency.
   */
  reset: (options?: { tenant?: string }) => Promise<void>;
  /** The recorded API requests, newest first, credentials redacted; an unknown `operationId` throws. */
  journal: (filter?: RequestFilter) => LoggedRequest[];
  clearJournal: () => void;
  /**
   * Passes when the journal holds as many requests matching `expectation` as its `times` asks (at least one
   * by default); else throws MockVerificationError, whose message lists what was received and why each
   * near miss did not match.
   */
  verify: (expectation: VerifyInput) => VerifyResult;
  /** Adds a fault rule (`POST /__mock/faults`); throws MockControlError when the rule is not valid. */
  addFault: (rule: FaultRuleInput) => FaultRule;
  faults: () => FaultRule[];
  removeFault: (id: string) => boolean;
  clearFaults: () => void;
  /** Adds a stub (`POST /__mock/stubs`): matching requests get its status, headers and body. */
  addStub: (stub: StubInput) => StubRule;
  stubs: () => StubRule[];
  removeStub: (id: string) => boolean;
  clearStubs: () => void;
  /** The latency now (`GET /__mock/latency`). */
  latency: () => Required<LatencySettings>;
  /** Sets the global and per-operation latency (`PUT /__mock/latency`) until the next full reset. */
  setLatency: (settings: LatencySettings) => Required<LatencySettings>;
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
   * its contact slots and integration slots; a list left out is kept. Throws a MockControlError (400, 404) when refused.
   */
  defineAgent: (request: { tenant: string; agentId: string } & DefinitionBody) => Promise<AgentDefinition>;
  /** A snapshot of the store, in-process and so with credential values as stored (`GET /__mock/state?includeSecrets=true`). */
  state: () => StoreData;
  /** Replaces the store (`PUT /__mock/state`); throws MockControlError when the snapshot is not valid, changing nothing. */
  setState: (state: StoreData) => Promise<void>;
  /**
   * Makes `snapshot` what `reset()` goes back to (`PUT /__mock/baseline`; undefined: back to empty). It
   * leaves the store as it is: call `reset()` to go there now.
   */
  setBaseline: (snapshot: StoreData | undefined) => void;
  /**
   * Stops the server. In-flight requests get up to 3 s to finish (well inside vitest's 10 s hook timeout);
   * with `force`, they are ended at once.
   */
  close: (options?: CloseOptions) => Promise<void>;
};

/** Starts a mock server; `port` 0 (a free port) and `inMemory` are the defaults. */
export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  if (options.db !== undefined && options.inMemory) throw new UsageError('db and inMemory cannot be used together: a store is either a file or in memory');
  const server = await startServer({ port: 0, inMemory: options.db === undefined, ...options });
  const { store, control } = server;
  const idOf = (sequence: number) => server.services.generator.uuid(sequence);
  return {
    url: server.url,
    port: server.port,
    controlToken: server.controlToken,
    reset: (opts = {}) => control.reset(store, opts.tenant),
    journal: (filter) => asKitCall('/requests', () => control.listRequests(filter)),
    clearJournal: () => control.journal.clear(),
    verify: (expectation) => asKitCall('/verify', () => verifyRequests(expectation, (filter) => control.listRequests(filter), control.journal)),
    addFault: (rule) => asKitCall('/faults', () => control.faults.add(rule)),
    faults: () => control.faults.list('fault'),
    removeFault: (id) => control.faults.remove(id, 'fault'),
    clearFaults: () => control.faults.clear({ kind: 'fault' }),
    addStub: (stub) => asKitCall('/stubs', () => control.faults.addStub(stub)),
    stubs: () => control.faults.list('stub'),
    removeStub: (id) => control.faults.remove(id, 'stub'),
    clearStubs: () => control.faults.clear({ kind: 'stub' }),
    latency: () => control.latency.get(),
    setLatency: (settings) => asKitCall('/latency', () => control.latency.set(settings)),
    // Each refusal is the MockControlError mockClient would throw for the same call (asKitCall).
    mintCredentialKey: (request) => asKitCall('/oauth/credential-keys', async () => (await mintOAuthCredentialKey(server.services, request)).key),
    scriptProviderAnswer: (answer) => asKitCall('/provider-answers', async () => toAnswerView(await scriptProviderAnswer(server.services, answer))),
    clearProviderAnswers: async (opts = {}) => {
      await clearProviderAnswers(server.services, opts.tenant);
    },
    simulateInboundMessage: (message) => asKitCall('/inbound-messages', () => simulateInbound(server.services, message)),
    defineAgent: ({ tenant, agentId, ...definition }) =>
      asKitCall(`/tenants/${encodeURIComponent(tenant)}/agents/${encodeURIComponent(agentId)}/definition`, async () =>
        toDefinitionView(await defineAgent(server.services, tenant, agentId, definition))),
    state: () => store.snapshot(),
    setState: (state) => asKitCall('/state', () => importState(store, state, idOf)),
    setBaseline: (snapshot) => asKitCall('/baseline', () => setBaseline(control, snapshot)),
    close: (opts = {}) => server.close(opts),
  };
}

export { MockControlError, MockVerificationError } from './kit-errors.js';
export { mockClient, type MockClient, type MockClientOptions } from './client.js';
export { UsageError } from './config.js';
export { FixtureError } from './catalog/load.js';
export { AccessOptionsError } from './control/access.js';
export { BaselineError } from './server.js';
export { DemoError } from './demo.js';
export { StoreFileError, StoreLockedError } from './store/store.js';
