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
    id: 'tenant-isolation',
    resource: 'all',
    summary: 'A tenant never sees, changes or counts another tenant\'s records: they are 404.',
    source: 'Every endpoint is scoped by /v1/tenants/{tenant}.',
  },
];
