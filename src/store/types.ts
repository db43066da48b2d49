/** JSON values as they are stored and sent. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type AuthLevel = 'UNSPECIFIED' | 'APPLICATION' | 'USER';
export type SandboxMode = 'UNSPECIFIED' | 'NONE' | 'VENDOR' | 'SIMULATED' | 'READ_THROUGH';

export type AuthConfig = {
  integrationAuthMetadataId: string | null;
  level: AuthLevel;
  parameters: JsonObject | null;
};

export type AuthMapEntry = {
  parameters: JsonObject | null;
  authConfig: AuthConfig | null;
};

export type SandboxVariant = {
  parameters: JsonObject | null;
  auth: AuthConfig | null;
  authMap: AuthMapEntry[] | null;
};

/** A config's auth as stored: the credentials plus what the server learned about them. */
export type StoredAuth = AuthConfig & {
  grantedScopes: string[];
  /** `OAUTH` when it was materialised from a consumed `oAuthCredentialKey`. */
  source: 'REQUEST' | 'OAUTH';
};

/** The draft of a config. Credentials are stored as written and never leave through a view. */
export type ConfigRecord = {
  id: string;
  tenant: string;
  integrationId: string;
  displayName: string | null;
  parameters: JsonObject;
  auth: StoredAuth | null;
  authMap: AuthMapEntry[];
  sandboxMode: SandboxMode;
  sandboxVariant: SandboxVariant | null;
  publishedRevisionId: string | null;
  createdBy: string;
  createdAt: number;
  modifiedAt: number;
  /** The id (`WebhookKeyRecord.id`) of the inbound webhook key bound to the config; absent or null: none. */
  webhookKeyId?: string | null;
  /** The bot identity `:refreshIdentity` last resolved; absent or null: never resolved. */
  botIdentity?: BotIdentity | null;
  /** What the simulated provider has registered through `:applyWebhookToProvider` (its own copy of the URL). */
  providerWebhook?: ProviderWebhook | null;
};

/** The bot behind a messaging config, as the provider's identity lookup reports it. */
export type BotIdentity = { handle: string; displayName: string; providerId: string; fetchedAt: number };

/** The webhook the provider holds for a config. `webhookUrl` is the provider's copy and holds the key. */
export type ProviderWebhook = { webhookUrl: string; registeredAt: number };

/**
 * An inbound webhook key of a config. Only a digest of the key is kept (it is the record's id); the key
 * itself is shown once, in the `:generateWebhookUrl` or `webhook:rotate` response.
 */
export type WebhookKeyRecord = {
  /** SHA-256 of the key, hex. */
  id: string;
  tenant: string;
  integrationId: string;
  configId: string;
  /** The first characters of the key, safe to show. */
  prefix: string;
  createdAt: number;
};

/** A tenant's own (custom) integration, created through `POST /integrations`. */
export type CustomIntegrationRecord = {
  /** `{tenant}/{integrationId}`: integration ids are unique per tenant, not across tenants. */
  id: string;
  tenant: string;
  integrationId: string;
  displayName: string | null;
  description: string | null;
  /** As sent, with the auth methods' `authSettings.parameters` (credentials) kept here and never returned. */
  configMetadata: { parametersMetadata: JsonObject[]; authMetadata: JsonObject[] };
  createdAt: number;
  modifiedAt: number;
};

/** An immutable snapshot of a config's draft, made by `:publish`. */
export type RevisionRecord = {
  id: string;
  tenant: string;
  tenantId: string;
  configId: string;
  version: number;
  parameters: JsonObject;
  auth: StoredAuth | null;
  authMap: AuthMapEntry[];
  sandboxMode: SandboxMode;
  sandboxVariant: SandboxVariant | null;
  note: string | null;
  createdBy: string;
  createdAt: number;
};

/** A single-use key handed out by the OAuth success popup. */
export type OAuthKeyRecord = {
  key: string;
  tenant: string;
  integrationId: string;
  authMethodId: string;
  scopes: string[];
  /** The provider tokens the key stands for; they only ever reach a config's stored auth. */
  accessToken: string;
  refreshToken: string;
  createdAt: number;
  consumedAt: number | null;
  consumedByConfigId: string | null;
};

/** What a participant is; `UNSPECIFIED` on a request is stored as `PERSON`. */
export type ParticipantKind = 'PERSON' | 'GROUP' | 'AI_AGENT';

/** One way to reach a participant: an address on an integration config of the tenant. */
export type ParticipantChannel = {
  integrationConfigId: string | null;
  address: string;
  priority: number;
  label: string | null;
  disabled: boolean;
};

/** A participant as stored. Bindings, health and channel activations live elsewhere or are computed. */
export type ParticipantRecord = {
  id: string;
  tenant: string;
  kind: ParticipantKind;
  displayName: string;
  email: string | null;
  relatedAgentId: string | null;
  /** Only what the operator set; an AI agent's fallback avatar is computed when read. */
  avatarFileId: string | null;
  channels: ParticipantChannel[];
  disabledAt: number | null;
  createdAt: number;
  modifiedAt: number;
  /** Where `avatarFileId` came from when `avatar:syncFromChannel` set it; absent or null: the operator set it (or none). */
  avatarSync?: AvatarSync | null;
};

/** The channel an avatar was pulled from by `avatar:syncFromChannel`, and when. */
export type AvatarSync = { integrationConfigId: string; address: string; provider: string; syncedAt: number };

export type MaxUrgency = 'LOW' | 'NORMAL' | 'HIGH' | 'EMERGENCY';

/** A participant <-> agent link, carrying the agent's consult-roster metadata for that participant. */
export type BindingRecord = {
  id: string;
  tenant: string;
  tenantId: string;
  participantId: string;
  agentId: string;
  roles: string[];
  consultAllowed: boolean;
  maxUrgency: MaxUrgency;
  defaultForRoles: string[];
  createdAt: number;
  modifiedAt: number;
};

export type AccessRequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

/** A message from a sender no participant of the agent covers, waiting for an operator (`/participantAccessRequests`). */
export type AccessRequestRecord = {
  id: string;
  tenant: string;
  integrationConfigId: string;
  provider: string;
  address: string;
  agentId: string;
  /** A participant that already has this channel but is not bound to the agent (what `BIND_ONLY` binds). */
  matchedParticipantId: string | null;
  displayName: string | null;
  conversationName: string | null;
  status: AccessRequestStatus;
  processedBy: string | null;
  processedAt: number | null;
  processingNote: string | null;
  approvedParticipantId: string | null;
  createdAt: number;
  modifiedAt: number;
};

// agents (issue 13)

/** What an agent does (a label only) and where its reasoning loop runs. */
export type AgentType = 'UNSPECIFIED' | 'SUMMARIZATION' | 'RECOMMENDATION' | 'ANALYZER' | 'CHAT' | 'OTHER';
/** `UNSPECIFIED` on a request is stored as `NATIVE`. */
export type AgentOrigin = 'NATIVE' | 'LANG_GRAPH' | 'CREW_AI' | 'OPEN_AI_ASSISTANTS' | 'DIFY';

/** The kind of participant a slot takes; `ANY` takes every kind. */
export type SlotKind = 'ANY' | ParticipantKind;

/** A named contact (approver-role) slot declared on the agent's current revision. */
export type AgentSlot = { name: string; displayName: string | null; requiredKind: SlotKind };

/** An integration slot of the agent's current revision: a pointer at a published tenant config. */
export type AgentIntegrationSlot = { id: string; integrationId: string; displayName: string | null; tenantConfigId: string };

/**
 * A tenant's agent: one it created, or its own copy of a fixture agent made by the first write to it.
 * Soft-deleted agents keep their record (`deletedAt` set) until the id is taken again after the purge.
 */
export type AgentRecord = {
  /** `{tenant}/{agentId}`: agent ids are unique per tenant. */
  id: string;
  tenant: string;
  agentId: string;
  displayName: string | null;
  description: string | null;
  avatarFileId: string | null;
  tags: string[];
  type: AgentType;
  origin: AgentOrigin;
  externalConfig: { parameters: JsonObject | null } | null;
  enabled: boolean;
  currentRevision: number;
  /** What the current revision declares (fixtures, or `PUT /__mock/tenants/{tenant}/agents/{agent}/definition`). */
  slots: AgentSlot[];
  integrationSlots: AgentIntegrationSlot[];
  deletedAt: number | null;
  createdAt: number;
  modifiedAt: number;
};

/** What the simulated provider answers a send to one address (set through `/__mock/provider-answers`). */
export type ProviderAnswerRecord = {
  /** `{tenant}\u0000{address}`. */
  id: string;
  tenant: string;
  address: string;
  outcome: string;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: number;
};

/** A participant wired into one of an agent's slots. */
export type SlotBindingRecord = {
  id: string;
  tenant: string;
  tenantId: string;
  agentId: string;
  slotName: string;
  participantId: string;
  createdAt: number;
  modifiedAt: number;
};

export type StoreData = {
  meta: { schemaVersion: 1; sequence: number };
  configs: Record<string, ConfigRecord>;
  revisions: Record<string, RevisionRecord>;
  oauthKeys: Record<string, OAuthKeyRecord>;
  participants: Record<string, ParticipantRecord>;
  bindings: Record<string, BindingRecord>;
  integrations: Record<string, CustomIntegrationRecord>;
  webhookKeys: Record<string, WebhookKeyRecord>;
  accessRequests: Record<string, AccessRequestRecord>;
  providerAnswers: Record<string, ProviderAnswerRecord>;
  agents: Record<string, AgentRecord>;
  slotBindings: Record<string, SlotBindingRecord>;
};

export function emptyData(): StoreData {
  return {
    meta: { schemaVersion: 1, sequence: 0 },
    configs: {},
    revisions: {},
    oauthKeys: {},
    participants: {},
    bindings: {},
    integrations: {},
    webhookKeys: {},
    accessRequests: {},
    providerAnswers: {},
    agents: {},
    slotBindings: {},
  };
}
