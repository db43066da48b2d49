import type { FaultRule, FaultRuleInput } from './control/faults.js';
import type { LoggedRequest, RequestFilter } from './control/request-log.js';
import type { AgentDefinition, DefinitionBody } from './resources/agents/slots.js';
import type { StoreData } from './store/types.js';
import type { InboundMessage } from './resources/messaging/inbound.js';
import type { ProviderAnswerInput } from './resources/messaging/provider.js';

/** The control plane of a mock running elsewhere (another process, or a vitest globalSetup), over HTTP. */
export type MockClient = {
  url: string;
  reset: (options?: { tenant?: string }) => Promise<void>;
  journal: (filter?: RequestFilter) => Promise<LoggedRequest[]>;
  clearJournal: () => Promise<void>;
  addFault: (rule: FaultRuleInput) => Promise<FaultRule>;
  clearFaults: () => Promise<void>;
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
};

/** Thrown when the control plane answers with an error; `problem` is its problem+json body. */
export class MockControlError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
  ) {
    const detail = (problem as { detail?: unknown } | null)?.detail;
    super(`fruxon-mock control plane answered ${status}${typeof detail === 'string' ? `: ${detail}` : ''}`);
  }
}

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
    if (!res.ok) throw new MockControlError(res.status, parsed);
    return parsed as T;
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
    addFault: (rule) => call('POST', '/faults', rule),
    clearFaults: () => call('DELETE', '/faults'),
    mintCredentialKey: async (request) => (await call<{ key: string }>('POST', '/oauth/credential-keys', request)).key,
    state: (options = {}) => call('GET', `/state${options.includeSecrets ? '?includeSecrets=true' : ''}`),
    setState: (state) => call('PUT', '/state', state),
    scriptProviderAnswer: (answer) => call('POST', '/provider-answers', answer),
    clearProviderAnswers: (options = {}) => call('DELETE', `/provider-answers${search({ tenant: options.tenant })}`),
    simulateInboundMessage: (message) => call('POST', '/inbound-messages', message),
    defineAgent: ({ tenant, agentId, ...definition }) =>
      call('PUT', `/tenants/${encodeURIComponent(tenant)}/agents/${encodeURIComponent(agentId)}/definition`, definition),
  };
}
