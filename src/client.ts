import type { FaultRule, FaultRuleInput, StubInput, StubRule } from './control/faults.js';
import type { LatencySettings } from './control/latency.js';
import type { LoggedRequest, RequestFilter } from './control/request-log.js';
import type { AgentDefinition, DefinitionBody } from './resources/agents/slots.js';
import type { VerifyInput, VerifyResult } from './control/verify.js';
import { kitErrorOf } from './kit-errors.js';
import type { StoreData } from './store/types.js';
import type { InboundMessage } from './resources/messaging/inbound.js';
import type { ProviderAnswerInput } from './resources/messaging/provider.js';

export { MockControlError, MockVerificationError } from './kit-errors.js';

/**
 * The control plane of a mock running elsewhere (another process, or a vitest globalSetup), over HTTP: the
 * verbs of `MockServer`, each returning a promise and refusing what it refuses with the same error.
 */
export type MockClient = {
  url: string;
  reset: (options?: { tenant?: string }) => Promise<void>;
  journal: (filter?: RequestFilter) => Promise<LoggedRequest[]>;
  clearJournal: () => Promise<void>;
  verify: (expectation: VerifyInput) => Promise<VerifyResult>;
  addFault: (rule: FaultRuleInput) => Promise<FaultRule>;
  faults: () => Promise<FaultRule[]>;
  removeFault: (id: string) => Promise<boolean>;
  clearFaults: () => Promise<void>;
  addStub: (stub: StubInput) => Promise<StubRule>;
  stubs: () => Promise<StubRule[]>;
  removeStub: (id: string) => Promise<boolean>;
  clearStubs: () => Promise<void>;
  latency: () => Promise<Required<LatencySettings>>;
  setLatency: (settings: LatencySettings) => Promise<Required<LatencySettings>>;
  mintCredentialKey: (request: { tenant: string; integrationId: string; authMethodId?: string; scopes?: string[] }) => Promise<string>;
  /**
   * The store; credential values are `[redacted]` unless `includeSecrets` (needed to import them back
   * intact), which the mock refuses unless it runs with a control token and this client sends it.
   */
  state: (options?: { includeSecrets?: boolean }) => Promise<StoreData>;
  setState: (state: StoreData) => Promise<void>;
  /** `POST /__mock/provider-answers`: what the simulated provider answers sends to an address. */
  scriptProviderAnswer: (answer: ProviderAnswerInput) => Promise<Record<string, unknown>>;
  /** `DELETE /__mock/provider-answers`. */
  clearProviderAnswers: (options?: { tenant?: string }) => Promise<void>;
  /** `POST /__mock/inbound-messages`: a message from a sender reaching a config for an agent. */
  simulateInboundMessage: (message: InboundMessage) => Promise<{ delivered: { agentId: string; participantId: string }[]; accessRequests: Record<string, unknown>[] }>;
  /** Declares an agent's slots and integration slots (`PUT /__mock/tenants/{tenant}/agents/{agent}/definition`). */
  defineAgent: (request: { tenant: string; agentId: string } & DefinitionBody) => Promise<AgentDefinition>;
  setBaseline: (snapshot: StoreData | undefined) => Promise<void>;
};

/** How `mockClient` calls: `token` is the mock's control token (`--control-token`, `MockServer.controlToken`). */
export type MockClientOptions = { token?: string | undefined };

/** A typed client for `/__mock` at `url` (the mock's base URL, e.g. `http://127.0.0.1:4010`). */
export function mockClient(url: string, options: MockClientOptions = {}): MockClient {
  const base = url.replace(/\/+$/, '');
  const authorization: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}/__mock${path}`, {
      method,
      headers: body === undefined ? authorization : { ...authorization, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw kitErrorOf(res.status, parsed, path.split('?')[0]!);
    return parsed as T;
  };
  const removed = async (path: string) => {
    try {
      await call('DELETE', path);
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  };
  const search = (params: Record<string, unknown>) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
    const text = query.toString();
    return text ? `?${text}` : '';
  };
  return {
    url: base,
    reset: (options = {}) => call('POST', `/reset${search({ tenant: options.tenant })}`),
    journal: async (filter = {}) => (await call<{ items: LoggedRequest[] }>('GET', `/requests${search(filter)}`)).items,
    clearJournal: () => call('DELETE', '/requests'),
    verify: async (expectation) => {
      const { matched, items } = await call<{ matched: number; items: LoggedRequest[] }>('POST', '/verify', expectation);
      return { matched, requests: items };
    },
    addFault: (rule) => call('POST', '/faults', rule),
    faults: async () => (await call<{ items: FaultRule[] }>('GET', '/faults')).items,
    removeFault: (id) => removed(`/faults/${encodeURIComponent(id)}`),
    clearFaults: () => call('DELETE', '/faults'),
    addStub: (stub) => call('POST', '/stubs', stub),
    stubs: async () => (await call<{ items: StubRule[] }>('GET', '/stubs')).items,
    removeStub: (id) => removed(`/stubs/${encodeURIComponent(id)}`),
    clearStubs: () => call('DELETE', '/stubs'),
    latency: () => call('GET', '/latency'),
    setLatency: (settings) => call('PUT', '/latency', settings),
    mintCredentialKey: async (request) => (await call<{ key: string }>('POST', '/oauth/credential-keys', request)).key,
    state: (options = {}) => call('GET', `/state${options.includeSecrets ? '?includeSecrets=true' : ''}`),
    setState: (state) => call('PUT', '/state', state),
    scriptProviderAnswer: (answer) => call('POST', '/provider-answers', answer),
    clearProviderAnswers: (options = {}) => call('DELETE', `/provider-answers${search({ tenant: options.tenant })}`),
    simulateInboundMessage: (message) => call('POST', '/inbound-messages', message),
    defineAgent: ({ tenant, agentId, ...definition }) =>
      call('PUT', `/tenants/${encodeURIComponent(tenant)}/agents/${encodeURIComponent(agentId)}/definition`, definition),
    setBaseline: (snapshot) => (snapshot === undefined ? call('DELETE', '/baseline') : call('PUT', '/baseline', snapshot)),
  };
}
