export type ParameterFixture = {
  name: string;
  displayName: string;
  description: string;
  type: string;
  required: boolean;
  secret: boolean;
  defaultValue?: unknown;
  // The rest of the documented ParameterMetadata; each is null (or []) when omitted.
  typeName?: string | null;
  integerRange?: { min: number; max: number } | null;
  floatRange?: { min: number; max: number } | null;
  options?: { value: string; label: string; description?: string | null }[] | null;
  asset?: { providers: string[]; contentTypes: string[]; vectorized: boolean } | null;
  jsonSchema?: Record<string, unknown> | null;
  uiHint?: string | null;
  rules?: { effect: string; all: { sourceParam: string; operator: string; values: string[] }[] }[];
};

export type AuthMethodType = 'UNSPECIFIED' | 'NONE' | 'API_KEY' | 'BEARER_TOKEN' | 'BASIC' | 'OAUTH2';

export type AuthMethodFixture = {
  id: string;
  displayName: string;
  description: string;
  type: AuthMethodType;
  configTestSupported: boolean;
  supportedLevels: string[];
  availableScopes: string[];
  /** Scopes granted when an OAuth authorization asks for none. */
  defaultScopes?: string[];
  parameters: ParameterFixture[];
  /** The documented `sensitivity` (default `UNSPECIFIED`) and `authProviderName` (default null). */
  sensitivity?: string;
  authProviderName?: string | null;
  /** One credential per key built from these parameters (`authMap.useMap`); absent means no map. */
  authMap?: { keyTemplate: string | null; parameters: ParameterFixture[] };
  /** The documented `authSettings.parameters` (default {}). */
  authSettings?: Record<string, unknown>;
};

export type ToolFixture = {
  id: string;
  displayName: string;
  description: string;
  actionType: 'READ_ONLY' | 'REVERSIBLE' | 'IRREVERSIBLE';
  /** A JSON template; strings may hold `{{faker.expression}}` placeholders. */
  response: unknown;
};

export type WebhookOwnership = 'PER_CREDENTIAL' | 'PER_BINDING' | 'NONE';

export type IntegrationFixture = {
  id: string;
  displayName: string;
  description: string;
  type: 'SYSTEM' | 'CUSTOM';
  tags: string[];
  provider: string;
  webhookOwnership: WebhookOwnership;
  addressFormat: { pattern: string; hint: string } | null;
  parameters: ParameterFixture[];
  authMethods: AuthMethodFixture[];
  tools: ToolFixture[];
  createdAt?: number;
  modifiedAt?: number;
};

export type AgentFixture = {
  id: string;
  displayName: string;
  description: string;
  avatarFileId: string | null;
  tags: string[];
  type: string;
  enabled: boolean;
  currentRevision: number;
  createdAt?: number;
  modifiedAt?: number;
  /** Where its reasoning loop runs; `NATIVE` when omitted. */
  origin?: string;
  /** The contact slots its current revision declares (`GET /agents/{agent}/slots`); none when omitted. */
  slots?: { name: string; displayName?: string | null; requiredKind?: string }[];
};

/** What the mock serves read-only in every tenant. */
export type Catalog = {
  integrations: IntegrationFixture[];
  agents: AgentFixture[];
};
