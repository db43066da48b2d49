/**
 * The documented behaviours the mock enforces, each with the sentence of the Fruxon docs (or the project
 * decision) it implements. Code that applies a rule names its id in a comment; tests are titled by id.
 */
export type Rule = { id: string; resource: 'configs' | 'participants' | 'all'; summary: string; source: string };

export const RULES: readonly Rule[] = [
  {
    id: 'config-starts-as-draft',
    resource: 'configs',
    summary: 'A new config is a draft: publishedRevisionId is null until the first :publish.',
    source: 'The new config starts as a draft with no published revision.',
  },
  {
    id: 'route-integration-id-wins',
    resource: 'configs',
    summary: 'integrationId in the create body is replaced by the route value, silently.',
    source:
      'The integrationId on the request body is overwritten with the route value, so passing a mismatched ID is silently corrected.',
  },
  {
    id: 'no-unknown-properties',
    resource: 'all',
    summary: 'Request bodies with properties the spec does not name are a 400.',
    source: 'Request bodies are documented as [key: string]?never.',
  },
  {
    id: 'sandbox-mode-defaults-to-none',
    resource: 'configs',
    summary:
      'sandboxMode takes exactly UNSPECIFIED, NONE, VENDOR, SIMULATED, READ_THROUGH; omitted or UNSPECIFIED is stored as NONE on create and keeps the current value on PATCH.',
    source: 'Serialized as UPPER_SNAKE_CASE strings — NONE, VENDOR, SIMULATED, READ_THROUGH. (The response sample shows NONE.)',
  },
  {
    id: 'display-name-required-nullable',
    resource: 'configs',
    summary: 'displayName must be present on create but may be null.',
    source: 'displayName*string|null',
  },
  {
    id: 'secrets-never-returned',
    resource: 'configs',
    summary:
      'Reads expose hasAuth, hasAuthMap, authMethodId, auth.{level, integrationAuthMetadataId, grantedScopes} and authMapEntries[].parameters; auth parameters are always {} and secret-flagged connection parameters are left out.',
    source: 'The frontend never sees the access tokens. Secret credential values are stripped from the response.',
  },
  {
    id: 'oauth-key-single-use',
    resource: 'configs',
    summary:
      'oAuthCredentialKey is consumed on create or patch (or by :consumeOAuthCredentials) and binds a config-scoped auth; a used, unknown or foreign key is a 400 that stores nothing.',
    source:
      'Optional single-use key returned by the application-level OAuth success popup. When set, the server finalizes the OAuth flow as part of the save: it consumes the key, materializes a config-scoped IntegrationAuth row, and binds it to the new config.',
  },
  {
    id: 'patch-edits-draft-only',
    resource: 'configs',
    summary: 'PATCH changes only the draft; null or absent fields are kept; the published revision is unchanged.',
    source: 'Changes only the draft; the published revision is unchanged until :publish runs again.',
  },
  {
    id: 'publish-snapshots-draft',
    resource: 'configs',
    summary: ':publish copies the draft into a new immutable revision (version 1, 2, 3 … per config) and points publishedRevisionId at it.',
    source: 'tool calls that resolve a config will fail until /integrations/{integration}/configs/{config}:publish is called.',
  },
  {
    id: 'rollback-repoints-only',
    resource: 'configs',
    summary: ':rollback points publishedRevisionId at an earlier revision of the same config: no new version, draft untouched; another config\'s revision is 404.',
    source: 'Repoints publishedRevisionId at the target without creating a new revision or version; the draft is not modified.',
  },
  {
    id: 'revisions-belong-to-config',
    resource: 'configs',
    summary: 'Revisions list in storage order; a revision fetched through another config is 404.',
    source: 'Mismatched config/revision pairs return 404.',
  },
  {
    id: 'tools-resolve-published-revision',
    resource: 'configs',
    summary:
      ':testTool runs against the published revision: 400 CONFIG_NOT_PUBLISHED before the first publish, 404 for a tool the integration does not have.',
    source: 'Executes it with the credentials of the currently published revision; 400 if the config has no published revision.',
  },
  {
    id: 'verify-auth-needs-auth',
    resource: 'configs',
    summary: ':verifyAuth is 400 when the draft has neither auth nor authMap; OAuth methods without a grant answer with an authorizationUrl.',
    source: 'Returns 400 if the config has neither auth nor authMap. OAuth2: returns an authorizationUrl.',
  },
  {
    id: 'delete-cascades-revisions',
    resource: 'configs',
    summary: 'DELETE removes the config and all its revisions (204); a later GET is 404.',
    source: 'Hard delete of the config and all its revisions.',
  },
  {
    id: 'unknown-integration-404',
    resource: 'configs',
    summary: 'Config operations under an integration the catalog does not have are 404.',
    source: 'Project decision (issue #2).',
  },
  {
    id: 'participant-create-atomic',
    resource: 'participants',
    summary:
      'Create and PATCH write the participant, its channels and its bindings together or not at all: an agentIds entry or relatedAgentId that is not an agent of the tenant, or a channel whose integrationConfigId is not a config of the tenant, is a 400 INVALID_REFERENCE naming every offender (errors keyed agentIds[1], channels[0].integrationConfigId), and nothing is stored.',
    source:
      'Creates the participant together with its channels and any initial agent bindings supplied in the request — all in one transaction, so a participant is never persisted half-bound.',
  },
  {
    id: 'participant-kind-fixed',
    resource: 'participants',
    summary:
      'kind takes UNSPECIFIED, PERSON, GROUP or AI_AGENT; omitted or UNSPECIFIED is stored as PERSON (responses never show UNSPECIFIED). A PATCH carrying kind, whatever its value (null and the current kind included), is a 400 IMMUTABLE_FIELD and changes nothing.',
    source:
      '`Kind` is fixed at creation: switching a participant between Person, Group, and AI Agent requires recreating it. (The response sample shows PERSON.)',
  },
  {
    id: 'participant-patch-semantics',
    resource: 'participants',
    summary:
      'PATCH writes only non-null fields: avatarFileId "" clears the avatar, channels replaces the whole list ([] clears), agentIds reconciles the bindings to exactly that set (kept bindings keep their id and roster data; [] unbinds all). displayName, when sent, must still be 1 to 150 characters.',
    source:
      'Only non-null fields are written. avatarFileId: null keeps; empty string clears. channels: provided replaces the whole list. agentIds: bindings reconciled to exactly this set.',
  },
  {
    id: 'ai-agent-avatar-fallback',
    resource: 'participants',
    summary:
      'An AI_AGENT participant without avatarFileId shows its relatedAgentId agent\'s avatar (avatarSource AGENT), looked up on every read and never stored; an operator avatar shows as avatarSource UPLOADED; none is null.',
    source:
      "AI-agent participants without one fall back to the backing agent's avatar at projection time.",
  },
  {
    id: 'participant-enable-disable',
    resource: 'participants',
    summary:
      ':disable sets disabledAt, and again keeps the first timestamp; :enable clears it and leaves every channel\'s disabled flag alone. Both answer 200 when nothing changes, and 404 for an unknown participant. Bindings and channels are kept.',
    source:
      'Disabling again is a no-op that keeps the original timestamp. Per-channel disabled flags are not touched. Enabling an enabled participant is a no-op.',
  },
  {
    id: 'participant-delete-cascades-bindings',
    resource: 'participants',
    summary: 'DELETE removes the participant and all its bindings (204); the agents stay; a later GET is 404.',
    source: 'Permanently removes the participant and all its agent bindings; agents themselves untouched.',
  },
  {
    id: 'binding-idempotent',
    resource: 'participants',
    summary:
      'PUT …/bindings/{agentId} returns an existing binding unchanged (same id, no duplicate); DELETE answers 204 even when nothing was bound; an unknown participant is 404 for both, an agent the tenant does not have is 404 for PUT. agentIds on every read reflects the bindings.',
    source:
      'Idempotent — an existing binding is returned unchanged, never duplicated. Removing a non-existent binding still returns 204.',
  },
  {
    id: 'participant-health-computed',
    resource: 'participants',
    summary:
      'health is computed on read: one entry per channel with reason INVALID_FORMAT (address does not fit the integration\'s addressFormat), CONFIG_NOT_FOUND (config deleted since) or CHANNEL_DISABLED, else null; reachable when at least one enabled channel has a valid address; the top-level reason is null when reachable, NO_CHANNEL without channels, else the first of INVALID_FORMAT, CONFIG_NOT_FOUND, CHANNEL_DISABLED found. keyStatus is UNSPECIFIED (no webhooks), ACTIVE (per-binding keys exist) or MISSING; lastMessageAt is always null.',
    source: 'ParticipantHealth { reachable, channels[{ address, reason, keyStatus, keyPrefix, lastMessageAt }], reason: INVALID_FORMAT }.',
  },
  {
    id: 'channel-activations-per-binding',
    resource: 'participants',
    summary:
      'channelActivations holds one entry per (binding, channel) whose integration declares PER_BINDING webhooks, with scope PER_BINDING, webhookUrlTemplate https://api.fruxon.com/v1/webhooks/{provider}/{webhookKey} and a webhookKeyPrefix derived from the pair (stable across reads and PATCHes that keep the channel). webhookUrl is always null: reads never show the secret URL.',
    source:
      'For integrations with per-binding webhook ownership, channel activations are created automatically by participant create/update.',
  },
  {
    id: 'roster-defaults-subset',
    resource: 'participants',
    summary:
      'PATCH …/bindings/{agentId}/roster: null keeps, lists replace, maxUrgency UNSPECIFIED keeps; the resulting defaultForRoles must be a subset of roles (400 naming each outsider as defaultForRoles[i]); a binding that does not exist is 404. A new binding starts with roles [], consultAllowed false, maxUrgency NORMAL.',
    source: 'defaultForRoles must be a subset of roles; 404 if the binding doesn\'t exist.',
  },
  {
    id: 'consult-roster-by-agent',
    resource: 'participants',
    summary:
      'GET /participants/consultRoster?agentId= (required) lists one roster entry per participant bound to the agent, in binding order, paged as {items, nextPageToken, totalCount}; an agent the tenant does not have is 404. consultRoster is a literal path segment, never a participant id.',
    source: 'One row per participant bound to the agent, with consult metadata.',
  },
  {
    id: 'lengths-count-utf16',
    resource: 'participants',
    summary:
      'Length limits (displayName 1..150, email ≤ 4000, channel address ≤ 4000, label ≤ 150) count UTF-16 code units as .NET does: 75 emoji (150 units) fit, 76 (152) do not; an accented letter written precomposed counts 1.',
    source: 'displayName*string Length 1 <= length <= 150; email?string|null Length length <= 4000.',
  },
  {
    id: 'tenant-isolation',
    resource: 'all',
    summary: 'A tenant never sees, changes or counts another tenant\'s records: they are 404.',
    source: 'Every endpoint is scoped by /v1/tenants/{tenant}.',
  },
];
