import type { AgentFixture, AuthMethodFixture, IntegrationFixture, ParameterFixture, ToolFixture } from './types.js';

/** An integration as `GET /integrations/{integration}` answers it (see `toIntegrationView`). */
export type IntegrationView = ReturnType<typeof import('../resources/catalog/view.js').toIntegrationView>;
type ParameterView = IntegrationView['configMetadata']['parametersMetadata'][number];
type AuthView = IntegrationView['configMetadata']['authMetadata'][number];
/** A tool as `GET /integrations/{integration}/tools` lists it. */
export type ToolView = { id: string; displayName: string; description: string; actionType: ToolFixture['actionType'] };
/** An agent as `GET /agents/{agent}` answers it. */
export type AgentView = Omit<AgentFixture, 'slots'> & {
  tenantId?: string;
  solutionId?: unknown;
  deletedAt?: unknown;
  evaluationMetrics?: unknown;
  externalConfig?: unknown;
  redactLlmMessages?: unknown;
};
/** A row of `GET /agents/{agent}/slots`. */
export type SlotView = { name: string; displayName: string | null; requiredKind: string; orphaned?: boolean };

/** What a tool answers on `:testTool` when the catalog came from a real tenant, which shows no responses. */
const IMPORTED_TOOL_RESPONSE = { ok: true };

/**
 * The fixture that makes the mock serve `view` and `tools` as they are. The API does not show the mock-only
 * extras (address format, webhook ownership, provider, tool response templates, default scopes): they come
 * from `shipped`, the shipped fixture of the same id, where there is one, and are left plain otherwise.
 */
export function integrationFixtureOf(view: IntegrationView, tools: ToolView[], shipped?: IntegrationFixture): IntegrationFixture {
  const shippedTools = new Map((shipped?.tools ?? []).map((t) => [t.id, t]));
  const shippedMethods = new Map((shipped?.authMethods ?? []).map((m) => [m.id, m]));
  return {
    id: view.id,
    displayName: view.displayName,
    description: view.description,
    type: view.type,
    tags: view.tags,
    provider: shipped?.provider ?? view.id,
    webhookOwnership: shipped?.webhookOwnership ?? 'NONE',
    addressFormat: shipped?.addressFormat ?? null,
    parameters: view.configMetadata.parametersMetadata.map(parameterOf),
    authMethods: view.configMetadata.authMetadata.map((m) => authMethodOf(m, shippedMethods.get(m.id))),
    tools: tools.map((t) => ({
      id: t.id,
      displayName: t.displayName,
      description: t.description,
      actionType: t.actionType,
      response: shippedTools.get(t.id)?.response ?? IMPORTED_TOOL_RESPONSE,
    })),
    createdAt: view.createdAt,
    modifiedAt: view.modifiedAt,
  };
}

/**
 * The fixture of an agent: its metadata, and the slots its current revision declares (orphaned bindings are
 * not declarations). What only a tenant's copy holds (deletion state, external config, which may carry
 * connection secrets) is left out.
 */
export function agentFixtureOf(view: AgentView, slots?: SlotView[]): AgentFixture {
  const { tenantId: _tenant, solutionId: _solution, deletedAt: _deleted, evaluationMetrics: _metrics, externalConfig: _external, redactLlmMessages: _redact, ...agent } = view;
  const declared = (slots ?? []).filter((s) => !s.orphaned).map((s) => ({ name: s.name, displayName: s.displayName, requiredKind: s.requiredKind }));
  return declared.length > 0 ? { ...agent, slots: declared } : agent;
}

/** A secret parameter never carries a value into a fixture file. The rest of configMetadata is kept as served. */
function parameterOf(p: ParameterView): ParameterFixture {
  return {
    name: p.name,
    displayName: p.displayName,
    description: p.description,
    type: p.type,
    required: p.required,
    secret: p.secret,
    ...(p.defaultValue !== undefined && p.defaultValue !== null && !p.secret ? { defaultValue: p.defaultValue } : {}),
    ...(p.typeName != null ? { typeName: p.typeName } : {}),
    ...(p.integerRange ? { integerRange: p.integerRange } : {}),
    ...(p.floatRange ? { floatRange: p.floatRange } : {}),
    ...(p.options ? { options: p.options } : {}),
    ...(p.asset ? { asset: p.asset } : {}),
    ...(p.jsonSchema ? { jsonSchema: p.jsonSchema } : {}),
    ...(p.uiHint != null ? { uiHint: p.uiHint } : {}),
    ...(p.rules?.length ? { rules: p.rules } : {}),
  };
}

function authMethodOf(m: AuthView, shipped?: AuthMethodFixture): AuthMethodFixture {
  return {
    id: m.id,
    displayName: m.displayName,
    description: m.description,
    type: m.type,
    configTestSupported: m.configTestSupported,
    supportedLevels: m.supportedLevels,
    availableScopes: m.availableScopes,
    ...(shipped?.defaultScopes ? { defaultScopes: shipped.defaultScopes } : {}),
    parameters: m.parametersMetadata.map(parameterOf),
    ...(m.sensitivity && m.sensitivity !== 'UNSPECIFIED' ? { sensitivity: m.sensitivity } : {}),
    ...(m.authProviderName != null ? { authProviderName: m.authProviderName } : {}),
    ...(m.authMap?.useMap ? { authMap: { keyTemplate: m.authMap.keyTemplate, parameters: m.authMap.parametersMetadata.map(parameterOf) } } : {}),
    ...(m.authSettings && Object.keys(m.authSettings.parameters).length > 0 ? { authSettings: m.authSettings.parameters } : {}),
  };
}
