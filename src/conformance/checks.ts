import { AGENT_CHECKS } from './agents-checks.js';
import { CONFIG_OPS_CHECKS } from './config-ops-checks.js';
import { CheckSkipped, type CheckContext, type Exchange, type Integration } from './context.js';
import { MESSAGING_CHECKS } from './messaging-checks.js';

/**
 * One check per ledger rule: it sends real requests and fails when the server does not do what the rule says.
 * `writes: false` checks create nothing and run under `--read-only`.
 */
export type Check = { rule: string; writes: boolean; run: (t: CheckContext) => Promise<void> };

const CANARY = 'conformance-canary-9f3b1e';

const hasTools = (i: Integration) => (i.toolCount ?? 0) > 0;
const keyMethod = (i: Integration) => i.configMetadata?.authMetadata?.find((m) => m.type === 'API_KEY' || m.type === 'BEARER_TOKEN');

/** A config of the run on the first integration `accepts` (any, by default); returns its id and integration. */
async function draftConfig(t: CheckContext, accepts: (i: Integration) => boolean = () => true, what = 'integration') {
  const integration = await t.need(what, accepts);
  const created = await t.createConfig(integration.id, { displayName: t.name('config') });
  t.expectStatus(created, 200, `creating a config on ${integration.id}`);
  return { integration, id: String((created.body as { id: string }).id), created };
}

async function publish(t: CheckContext, integrationId: string, configId: string, note?: string): Promise<Record<string, unknown>> {
  const published = await t.call('POST', `/integrations/${integrationId}/configs/${configId}:publish`, note ? { note } : {});
  t.expectStatus(published, 200, ':publish');
  return published.body as Record<string, unknown>;
}

/** An agent of the tenant: from `GET /agents` where the server has it, else the run's `--agent`. */
export async function anAgent(t: CheckContext): Promise<string> {
  if (t.agentId) return t.agentId;
  const list = await t.call('GET', '/agents');
  const items = Array.isArray(list.body) ? list.body : (list.body as { items?: unknown[] } | undefined)?.items;
  const first = list.status === 200 && Array.isArray(items) ? (items as { id?: string; deletedAt?: unknown }[]).find((a) => !a.deletedAt) : undefined;
  if (!first?.id) throw new CheckSkipped('no agent to bind: pass --agent ID');
  return first.id;
}

function bodyOf(exchange: Exchange): Record<string, unknown> {
  return (exchange.body ?? {}) as Record<string, unknown>;
}


/** Config and participant creates with a value of `values` each, which must all succeed. */
async function expectEachAccepted(t: CheckContext, values: readonly string[], make: (value: string) => Promise<Exchange>, what: string): Promise<void> {
  for (const value of values) t.expectStatus(await make(value), 200, `${what} ${value}`);
}

/** A config of the run with credentials of an API-key or bearer method filled with the canary. */
async function configWithKeyAuth(t: CheckContext) {
  const integration = await t.need('integration with an API-key or bearer-token auth method', (i) => keyMethod(i) !== undefined);
  const method = keyMethod(integration)!;
  const parameters = Object.fromEntries((method.parametersMetadata ?? []).map((p) => [p.name, CANARY]));
  const created = await t.createConfig(integration.id, { displayName: t.name('keyed'), auth: { integrationAuthMetadataId: method.id, parameters } });
  t.expectStatus(created, 200, 'a create with credentials');
  return { integration, method, id: String(bodyOf(created).id), created };
}

const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'instance'];

/** A 404 problem any server gives: a config id no tenant has, under the first integration. */
async function aNotFound(t: CheckContext): Promise<Exchange> {
  const integration = await t.need('integration', () => true);
  return t.call('GET', `/integrations/${integration.id}/configs/00000000-0000-4000-8000-00000000c0de`);
}

export const MORE_CHECKS: readonly Check[] = [
  {
    rule: 'sandbox-mode-values',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration', () => true);
      await expectEachAccepted(t, ['UNSPECIFIED', 'NONE', 'VENDOR', 'SIMULATED', 'READ_THROUGH'], (mode) => t.createConfig(integration.id, { displayName: t.name(mode), sandboxMode: mode }), 'sandboxMode');
      t.expectProblem(await t.createConfig(integration.id, { displayName: t.name('bad'), sandboxMode: 'LIVE' }), 400, 'sandboxMode LIVE');
    },
  },
  {
    rule: 'verify-auth-never-echoes-credentials',
    writes: true,
    run: async (t) => {
      const { integration, id } = await configWithKeyAuth(t);
      const verified = await t.call('POST', `/integrations/${integration.id}/configs/${id}:verifyAuth`, {});
      t.expect(verified.status < 500, ':verifyAuth should answer', verified);
      t.expect(!JSON.stringify(verified.body ?? '').includes(CANARY), ':verifyAuth should not return the credential value', verified);
    },
  },
  {
    rule: 'oauth-key-rejected-400',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration', () => true);
      const created = await t.createConfig(integration.id, { displayName: t.name('unknown key'), oAuthCredentialKey: 'ock_conformance_never_issued' });
      t.expectProblem(created, 400, 'a create with a key that was never issued');
      const list = await t.call('GET', `/integrations/${integration.id}/configs`);
      t.expect(!JSON.stringify(list.body).includes(t.name('unknown key')), 'the rejected config should not be stored', list);
    },
  },
  {
    rule: 'draft-read-is-draft',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const revision = await publish(t, integration.id, id);
      await t.call('PATCH', `/integrations/${integration.id}/configs/${id}`, { sandboxMode: 'SIMULATED' });
      const read = await t.call('GET', `/integrations/${integration.id}/configs/${id}`);
      t.expect(bodyOf(read).sandboxMode === 'SIMULATED' && bodyOf(read).publishedRevisionId === revision.id, 'GET should show the draft, with the published revision id unchanged', read);
    },
  },
  {
    rule: 'auth-level-values',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration with an API-key or bearer-token auth method', (i) => keyMethod(i) !== undefined);
      const method = keyMethod(integration)!;
      const parameters = Object.fromEntries((method.parametersMetadata ?? []).map((p) => [p.name, CANARY]));
      const make = (level: string) => t.createConfig(integration.id, { displayName: t.name(`level ${level}`), auth: { level, integrationAuthMetadataId: method.id, parameters } });
      t.expectStatus(await make('APPLICATION'), 200, 'auth.level APPLICATION');
      t.expectProblem(await make('EVERYONE'), 400, 'auth.level EVERYONE');
    },
  },
  {
    rule: 'auth-map-index-zero-based',
    writes: true,
    run: async (t) => {
      const { integration, id } = await configWithKeyAuth(t);
      t.expectProblem(await t.call('POST', `/integrations/${integration.id}/configs/${id}:verifyAuth?authMapIndex=-1`, {}), 400, ':verifyAuth with authMapIndex -1');
    },
  },
  {
    rule: 'channel-config-optional',
    writes: true,
    run: async (t) => {
      const created = await t.createParticipant({ displayName: t.name('no config'), channels: [{ address: 'someone@example.com' }, { address: 'x', integrationConfigId: null }] });
      t.expectStatus(created, 200, 'channels without integrationConfigId');
      const channels = bodyOf(created).channels as { integrationConfigId?: unknown }[];
      t.expect(channels.length === 2 && channels.every((c) => c.integrationConfigId === null), 'reads should show integrationConfigId null', created);
    },
  },
  {
    rule: 'channel-address-length',
    writes: true,
    run: async (t) => {
      t.expectStatus(await t.createParticipant({ displayName: t.name('address 4000'), channels: [{ address: 'a'.repeat(4000) }] }), 200, 'an address of 4000 characters');
      t.expectProblem(await t.createParticipant({ displayName: t.name('address 4001'), channels: [{ address: 'a'.repeat(4001) }] }), 400, 'an address of 4001 characters');
    },
  },
  {
    rule: 'participant-list-unpaged',
    writes: false,
    run: async (t) => {
      const list = await t.call('GET', '/participants');
      t.expect(list.status === 200 && Array.isArray(list.body), 'GET /participants should answer a bare array', list);
    },
  },
  {
    rule: 'max-urgency-values',
    writes: true,
    run: async (t) => {
      const agentId = await anAgent(t);
      const created = await t.createParticipant({ displayName: t.name('urgency'), agentIds: [agentId] });
      const path = `/participants/${String(bodyOf(created).id)}/bindings/${agentId}/roster`;
      await expectEachAccepted(t, ['UNSPECIFIED', 'LOW', 'NORMAL', 'HIGH', 'EMERGENCY'], (maxUrgency) => t.call('PATCH', path, { maxUrgency }), 'maxUrgency');
      t.expectProblem(await t.call('PATCH', path, { maxUrgency: 'CRITICAL' }), 400, 'maxUrgency CRITICAL');
    },
  },
  {
    rule: 'catalog-config-metadata',
    writes: false,
    run: async (t) => {
      const integration = await t.need('integration', () => true);
      const read = await t.call('GET', `/integrations/${integration.id}`);
      t.expectStatus(read, 200, 'GET the integration');
      const metadata = bodyOf(read).configMetadata as { parametersMetadata: Record<string, unknown>[]; authMetadata: Record<string, unknown>[] };
      const parameters = [...metadata.parametersMetadata, ...metadata.authMetadata.flatMap((m) => (m.parametersMetadata as Record<string, unknown>[]) ?? [])];
      for (const p of parameters) {
        const missing = ['typeName', 'integerRange', 'floatRange', 'options', 'asset', 'jsonSchema', 'uiHint', 'rules'].filter((k) => !(k in p));
        t.expect(missing.length === 0, `parameter '${String(p.name)}' should carry ${missing.join(', ')}`, read);
      }
      for (const m of metadata.authMetadata) {
        const missing = ['sensitivity', 'authProviderName', 'authMap', 'authSettings', 'availableScopes'].filter((k) => !(k in m));
        t.expect(missing.length === 0, `auth method '${String(m.id)}' should carry ${missing.join(', ')}`, read);
      }
    },
  },
  {
    rule: 'tool-action-type-values',
    writes: false,
    run: async (t) => {
      const integration = await t.need('integration with tools', hasTools);
      const tools = await t.pages<{ actionType?: string }>(`/integrations/${integration.id}/tools`);
      const allowed = ['UNSPECIFIED', 'READ_ONLY', 'REVERSIBLE', 'IRREVERSIBLE'];
      t.expect(tools.every((tool) => allowed.includes(tool.actionType ?? '')), `every actionType should be one of ${allowed.join(', ')}`);
    },
  },
  {
    rule: 'bearer-required',
    writes: false,
    run: async (t) => {
      t.expectStatus(await t.callWithoutToken('GET', '/integrations'), 401, 'a call without a bearer token');
    },
  },
  {
    rule: 'unauthorized-empty-body',
    writes: false,
    run: async (t) => {
      const answer = await t.callWithoutToken('GET', '/participants');
      t.expectStatus(answer, 401, 'a call without a bearer token');
      t.expect(answer.body === undefined, 'a 401 should have no body', answer);
      t.expect(/^Bearer/i.test(answer.headers['www-authenticate'] ?? ''), 'a 401 should carry WWW-Authenticate: Bearer', answer);
    },
  },
  {
    rule: 'ids-case-insensitive',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const read = await t.call('GET', `/integrations/${integration.id}/configs/${id.toUpperCase()}`);
      t.expectStatus(read, 200, 'a config read by its id in upper case');
      t.expect(bodyOf(read).id === id, 'the answer should show the id as stored', read);
    },
  },
  {
    rule: 'unknown-query-ignored',
    writes: false,
    run: async (t) => {
      t.expectStatus(await t.call('GET', '/integrations?conformanceProbe=1'), 200, 'a list with a query name no parameter binds');
    },
  },
  {
    rule: 'query-names-case-insensitive',
    writes: false,
    run: async (t) => {
      const all = await t.integrations();
      if (all.length === 0) throw new CheckSkipped('the tenant has no integration');
      const filtered = await t.call('GET', '/integrations?SEARCH=zz-conformance-matches-nothing');
      t.expectStatus(filtered, 200, 'the catalog searched with SEARCH');
      t.expect(((bodyOf(filtered).items as unknown[]) ?? []).length === 0, 'SEARCH should bind as search and match nothing', filtered);
    },
  },
  {
    rule: 'paging-names-per-list',
    writes: false,
    run: async (t) => {
      const all = await t.integrations();
      if (all.length < 2) throw new CheckSkipped('paging needs two integrations in the catalog');
      const first = await t.call('GET', '/integrations?page_size=1');
      const body = bodyOf(first) as { items?: { id: string }[]; nextPageToken?: string | null };
      t.expect(body.items?.length === 1 && typeof body.nextPageToken === 'string', 'page_size=1 should answer one item and a nextPageToken', first);
      const second = await t.call('GET', `/integrations?page_size=1&page_token=${encodeURIComponent(body.nextPageToken!)}`);
      const next = bodyOf(second) as { items?: { id: string }[] };
      t.expect(next.items?.length === 1 && next.items[0]!.id !== body.items![0]!.id, 'page_token should answer the next item', second);
    },
  },
  {
    rule: 'problem-details',
    writes: false,
    run: async (t) => {
      const answer = await aNotFound(t);
      t.expectProblem(answer, 404, 'an unknown config');
      const missing = PROBLEM_MEMBERS.filter((m) => !(m in bodyOf(answer)));
      t.expect(missing.length === 0, `the problem should carry ${missing.join(', ')}`, answer);
    },
  },
  {
    rule: 'problem-trace-id',
    writes: false,
    run: async (t) => {
      const answer = await aNotFound(t);
      t.expect(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/.test(String(bodyOf(answer).traceId)), 'the problem should carry a W3C traceId', answer);
    },
  },
  {
    rule: 'timestamps-epoch-ms',
    writes: true,
    run: async (t) => {
      const { created } = await draftConfig(t);
      const { createdAt, modifiedAt } = bodyOf(created);
      t.expect(Number.isInteger(createdAt) && Number.isInteger(modifiedAt) && (createdAt as number) > 1e12, 'createdAt and modifiedAt should be integer epoch milliseconds', created);
    },
  },
];

const RULE_CHECKS: readonly Check[] = [
  {
    rule: 'config-starts-as-draft',
    writes: true,
    run: async (t) => {
      const { created } = await draftConfig(t);
      t.expect(bodyOf(created).publishedRevisionId === null, 'a new config should have publishedRevisionId null', created);
    },
  },
  {
    rule: 'route-integration-id-wins',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration', () => true);
      const created = await t.createConfig(integration.id, { displayName: t.name('route id'), integrationId: 'some-other-integration' });
      t.expectStatus(created, 200, 'a create whose body names another integration');
      t.expect(bodyOf(created).integrationId === integration.id, `integrationId should be the route's '${integration.id}'`, created);
    },
  },
  {
    rule: 'no-unknown-properties',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration', () => true);
      const created = await t.createConfig(integration.id, { displayName: t.name('unknown property'), colour: 'teal' });
      t.expectProblem(created, 400, 'a create with a property the docs do not name');
    },
  },
  {
    rule: 'sandbox-mode-defaults-to-none',
    writes: true,
    run: async (t) => {
      const { created } = await draftConfig(t);
      t.expect(bodyOf(created).sandboxMode === 'NONE', 'sandboxMode omitted should be stored as NONE', created);
      const integration = await t.need('integration', () => true);
      const bad = await t.createConfig(integration.id, { displayName: t.name('bad sandbox'), sandboxMode: 'SOMETIMES' });
      t.expectProblem(bad, 400, 'sandboxMode outside the documented values');
    },
  },
  {
    rule: 'display-name-required-nullable',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration', () => true);
      const nulled = await t.createConfig(integration.id, { displayName: null });
      t.expectStatus(nulled, 200, 'a create with displayName null');
      const missing = await t.createConfig(integration.id, {});
      t.expectProblem(missing, 400, 'a create without displayName');
    },
  },
  {
    rule: 'secrets-never-returned',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration with an API-key or bearer-token auth method', (i) => keyMethod(i) !== undefined);
      const method = keyMethod(integration)!;
      const parameters = Object.fromEntries((method.parametersMetadata ?? []).map((p) => [p.name, CANARY]));
      const created = await t.createConfig(integration.id, {
        displayName: t.name('secret'),
        auth: { integrationAuthMetadataId: method.id, parameters },
      });
      t.expectStatus(created, 200, 'a create with credentials');
      const id = String(bodyOf(created).id);
      const reads = [
        created,
        await t.call('GET', `/integrations/${integration.id}/configs/${id}`),
        await t.call('GET', `/integrations/${integration.id}/configs`),
      ];
      for (const read of reads) t.expect(!JSON.stringify(read.body ?? '').includes(CANARY), `${read.method} ${read.path} should not return the credential value`, read);
      t.expect(bodyOf(created).hasAuth === true, 'hasAuth should be true', created);
    },
  },
  {
    rule: 'oauth-key-single-use',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration with an OAuth2 auth method', (i) => i.configMetadata?.authMetadata?.some((m) => m.type === 'OAUTH2') ?? false);
      const key = await t.mintCredentialKey(integration.id);
      const first = await t.createConfig(integration.id, { displayName: t.name('oauth'), oAuthCredentialKey: key });
      t.expectStatus(first, 200, 'a create with a fresh credential key');
      t.expect(bodyOf(first).hasAuth === true, 'the key should bind an auth', first);
      const second = await t.createConfig(integration.id, { displayName: t.name('oauth again'), oAuthCredentialKey: key });
      t.expectProblem(second, 400, 'a second create with the same key');
    },
  },
  {
    rule: 'patch-edits-draft-only',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const revision = await publish(t, integration.id, id);
      const path = `/integrations/${integration.id}/configs/${id}`;
      const patched = await t.call('PATCH', path, { displayName: t.name('edited'), sandboxMode: 'SIMULATED' });
      t.expectStatus(patched, 200, 'PATCH');
      t.expect(bodyOf(patched).sandboxMode === 'SIMULATED', 'the draft should carry the edit', patched);
      t.expect(bodyOf(patched).publishedRevisionId === revision.id, 'the published revision should not change', patched);
      const kept = await t.call('PATCH', path, { displayName: null });
      t.expect(bodyOf(kept).displayName === t.name('edited'), 'displayName null should keep the value', kept);
      const stored = await t.call('GET', `${path}/revisions/${String(revision.id)}`);
      t.expect(bodyOf(stored).sandboxMode === 'NONE', 'the published revision should keep its values', stored);
    },
  },
  {
    rule: 'publish-snapshots-draft',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const first = await publish(t, integration.id, id, 'first');
      const second = await publish(t, integration.id, id, 'second');
      t.expect(first.version === 1 && second.version === 2, `versions should be 1 then 2 (got ${String(first.version)}, ${String(second.version)})`);
      const config = await t.call('GET', `/integrations/${integration.id}/configs/${id}`);
      t.expect(bodyOf(config).publishedRevisionId === second.id, 'publishedRevisionId should point at the newest revision', config);
    },
  },
  {
    rule: 'rollback-repoints-only',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const first = await publish(t, integration.id, id);
      await publish(t, integration.id, id);
      const rolled = await t.call('POST', `/integrations/${integration.id}/configs/${id}:rollback`, { revisionId: first.id });
      t.expectStatus(rolled, 200, ':rollback');
      const config = await t.call('GET', `/integrations/${integration.id}/configs/${id}`);
      t.expect(bodyOf(config).publishedRevisionId === first.id, 'publishedRevisionId should point at the first revision', config);
      const revisions = await t.call('GET', `/integrations/${integration.id}/configs/${id}/revisions`);
      const list = Array.isArray(revisions.body) ? revisions.body : ((revisions.body as { items?: unknown[] })?.items ?? []);
      t.expect(list.length === 2, 'a rollback should make no new revision', revisions);
    },
  },
  {
    rule: 'revisions-belong-to-config',
    writes: true,
    run: async (t) => {
      const a = await draftConfig(t);
      const b = await draftConfig(t);
      const revision = await publish(t, a.integration.id, a.id);
      const through = await t.call('GET', `/integrations/${b.integration.id}/configs/${b.id}/revisions/${String(revision.id)}`);
      t.expectProblem(through, 404, "a revision read through another config");
    },
  },
  {
    rule: 'tools-resolve-published-revision',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t, hasTools, 'integration with tools');
      const toolList = await t.call('GET', `/integrations/${integration.id}/tools`);
      const tools = Array.isArray(toolList.body) ? toolList.body : ((toolList.body as { items?: { id: string }[] })?.items ?? []);
      const toolId = (tools[0] as { id?: string } | undefined)?.id;
      if (!toolId) throw new CheckSkipped(`${integration.id} lists no tools`);
      const early = await t.call('POST', `/integrations/${integration.id}/configs/${id}:testTool`, { toolId });
      t.expectProblem(early, 400, ':testTool before the first :publish');
      await publish(t, integration.id, id);
      const ran = await t.call('POST', `/integrations/${integration.id}/configs/${id}:testTool`, { toolId });
      t.expectStatus(ran, 200, ':testTool after :publish');
    },
  },
  {
    rule: 'verify-auth-needs-auth',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const verified = await t.call('POST', `/integrations/${integration.id}/configs/${id}:verifyAuth`, {});
      t.expectProblem(verified, 400, ':verifyAuth on a config with neither auth nor authMap');
    },
  },
  {
    rule: 'delete-cascades-revisions',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const revision = await publish(t, integration.id, id);
      const deleted = await t.call('DELETE', `/integrations/${integration.id}/configs/${id}`);
      t.expectStatus(deleted, 204, 'DELETE');
      t.expectProblem(await t.call('GET', `/integrations/${integration.id}/configs/${id}`), 404, 'the deleted config');
      t.expectProblem(await t.call('GET', `/integrations/${integration.id}/configs/${id}/revisions/${String(revision.id)}`), 404, "the deleted config's revision");
    },
  },
  {
    rule: 'unknown-integration-404',
    writes: false,
    run: async (t) => {
      t.expectProblem(await t.call('GET', '/integrations/no_such_integration_conformance/configs'), 404, 'configs of an unknown integration');
    },
  },
  {
    rule: 'tenant-isolation',
    writes: true,
    run: async (t) => {
      const { integration, id } = await draftConfig(t);
      const other = await t.call('GET', `/integrations/${integration.id}/configs/${id}`, undefined, t.target.otherTenant);
      if (other.status === 401 || other.status === 403) throw new CheckSkipped(`the token cannot reach tenant '${t.target.otherTenant}' (${other.status})`);
      t.expectProblem(other, 404, "another tenant's config");
    },
  },
  {
    rule: 'participant-create-atomic',
    writes: true,
    run: async (t) => {
      // A create whose display name is one unit over the documented 150, with a channel: nothing of it is stored.
      const name = t.name('atomic').padEnd(151, 'x');
      const created = await t.createParticipant({ displayName: name, channels: [{ address: 'atomic@example.com' }] });
      t.expectProblem(created, 400, 'a participant whose displayName is 151 characters');
      const list = await t.call('GET', '/participants');
      t.expect(!JSON.stringify(list.body).includes(t.name('atomic')), 'the rejected participant should not be stored', list);
    },
  },
  {
    rule: 'participant-kind-fixed',
    writes: true,
    run: async (t) => {
      const created = await t.createParticipant({ displayName: t.name('kind') });
      t.expectStatus(created, 200, 'a participant without kind');
      t.expect(bodyOf(created).kind === 'PERSON', 'kind omitted should be stored as PERSON', created);
      const patched = await t.call('PATCH', `/participants/${String(bodyOf(created).id)}`, { kind: 'GROUP' });
      t.expectProblem(patched, 400, 'a PATCH of kind');
    },
  },
  {
    rule: 'participant-patch-semantics',
    writes: true,
    run: async (t) => {
      const created = await t.createParticipant({ displayName: t.name('patch'), email: 'conformance@example.com' });
      t.expectStatus(created, 200, 'creating a participant');
      const id = String(bodyOf(created).id);
      const kept = await t.call('PATCH', `/participants/${id}`, { displayName: null, channels: [] });
      t.expectStatus(kept, 200, 'PATCH');
      t.expect(bodyOf(kept).displayName === t.name('patch') && bodyOf(kept).email === 'conformance@example.com', 'null fields should be kept', kept);
      t.expect(Array.isArray(bodyOf(kept).channels) && (bodyOf(kept).channels as unknown[]).length === 0, 'channels [] should clear the list', kept);
    },
  },
  {
    rule: 'ai-agent-avatar-fallback',
    writes: true,
    run: async (t) => {
      const agentId = await anAgent(t);
      const agent = await t.call('GET', `/agents/${agentId}`);
      const avatar = bodyOf(agent).avatarFileId;
      if (typeof avatar !== 'string' || avatar === '') throw new CheckSkipped(`agent '${agentId}' has no avatar to fall back to`);
      const created = await t.createParticipant({ displayName: t.name('ai'), kind: 'AI_AGENT', relatedAgentId: agentId });
      t.expectStatus(created, 200, 'an AI_AGENT participant');
      t.expect(bodyOf(created).avatarFileId === avatar, "the participant should show its agent's avatar", created);
    },
  },
  {
    rule: 'participant-enable-disable',
    writes: true,
    run: async (t) => {
      const created = await t.createParticipant({ displayName: t.name('disable') });
      const id = String(bodyOf(created).id);
      const first = await t.call('POST', `/participants/${id}:disable`);
      t.expectStatus(first, 200, ':disable');
      const again = await t.call('POST', `/participants/${id}:disable`);
      t.expect(bodyOf(first).disabledAt !== null && bodyOf(again).disabledAt === bodyOf(first).disabledAt, 'a second :disable should keep the first timestamp', again);
      const enabled = await t.call('POST', `/participants/${id}:enable`);
      t.expect(bodyOf(enabled).disabledAt === null, ':enable should clear disabledAt', enabled);
    },
  },
  {
    rule: 'participant-delete-cascades-bindings',
    writes: true,
    run: async (t) => {
      const agentId = await anAgent(t);
      const created = await t.createParticipant({ displayName: t.name('delete'), agentIds: [agentId] });
      t.expectStatus(created, 200, 'a participant with a binding');
      const id = String(bodyOf(created).id);
      t.expectStatus(await t.call('DELETE', `/participants/${id}`), 204, 'DELETE');
      t.expectProblem(await t.call('GET', `/participants/${id}`), 404, 'the deleted participant');
      const roster = await t.call('GET', `/participants/consultRoster?agentId=${encodeURIComponent(agentId)}`);
      t.expect(!JSON.stringify(roster.body).includes(id), "the agent's roster should not list the deleted participant", roster);
      t.expectStatus(await t.call('GET', `/agents/${agentId}`), 200, 'the agent after the delete');
    },
  },
  {
    rule: 'binding-idempotent',
    writes: true,
    run: async (t) => {
      const agentId = await anAgent(t);
      const created = await t.createParticipant({ displayName: t.name('binding') });
      const id = String(bodyOf(created).id);
      const first = await t.call('PUT', `/participants/${id}/bindings/${agentId}`);
      const second = await t.call('PUT', `/participants/${id}/bindings/${agentId}`);
      t.expectStatus(first, 200, 'PUT binding');
      t.expect(bodyOf(second).id === bodyOf(first).id, 'a second PUT should return the same binding', second);
      t.expectStatus(await t.call('DELETE', `/participants/${id}/bindings/${agentId}`), 204, 'DELETE binding');
      t.expectStatus(await t.call('DELETE', `/participants/${id}/bindings/${agentId}`), 204, 'DELETE of a binding that is gone');
    },
  },
  {
    rule: 'participant-health-computed',
    writes: true,
    run: async (t) => {
      const created = await t.createParticipant({ displayName: t.name('health') });
      const health = bodyOf(created).health as { reachable?: unknown; channels?: unknown[] } | undefined;
      t.expect(health?.reachable === false && Array.isArray(health.channels) && health.channels.length === 0, 'a participant without channels should not be reachable', created);
    },
  },
  {
    rule: 'channel-activations-per-binding',
    writes: true,
    run: async (t) => {
      const integration = await t.need('integration with per-binding webhooks (twilio)', (i) => i.id === 'twilio');
      const agentId = await anAgent(t);
      const config = await t.createConfig(integration.id, { displayName: t.name('activations') });
      const configId = String(bodyOf(config).id);
      const created = await t.createParticipant({
        displayName: t.name('activations'),
        channels: [{ integrationConfigId: configId, address: '+14155550123' }],
        agentIds: [agentId],
      });
      t.expectStatus(created, 200, 'a participant with a channel and a binding');
      const activations = bodyOf(created).channelActivations as { agentId?: string; webhookUrl?: unknown }[] | undefined;
      t.expect(Array.isArray(activations) && activations.length === 1 && activations[0]!.agentId === agentId, 'one channel activation per (binding, channel)', created);
      t.expect(activations![0]!.webhookUrl === null, 'reads should not show the webhook URL', created);
    },
  },
  {
    rule: 'roster-defaults-subset',
    writes: true,
    run: async (t) => {
      const agentId = await anAgent(t);
      const created = await t.createParticipant({ displayName: t.name('roster'), agentIds: [agentId] });
      const id = String(bodyOf(created).id);
      const bad = await t.call('PATCH', `/participants/${id}/bindings/${agentId}/roster`, { roles: ['billing'], defaultForRoles: ['legal'] });
      t.expectProblem(bad, 400, 'defaultForRoles outside roles');
      const good = await t.call('PATCH', `/participants/${id}/bindings/${agentId}/roster`, { roles: ['billing'], defaultForRoles: ['billing'] });
      t.expectStatus(good, 200, 'a roster PATCH');
    },
  },
  {
    rule: 'consult-roster-by-agent',
    writes: true,
    run: async (t) => {
      const agentId = await anAgent(t);
      const created = await t.createParticipant({ displayName: t.name('consult'), agentIds: [agentId] });
      const id = String(bodyOf(created).id);
      const roster = await t.pages<{ participantId?: string }>('/participants/consultRoster', `agentId=${encodeURIComponent(agentId)}`);
      const found = roster.some((row) => row.participantId === id);
      t.expect(found, 'the roster should list the participant bound to the agent');
      t.expectProblem(await t.call('GET', '/participants/consultRoster?agentId=no_such_agent_conformance'), 404, 'the roster of an unknown agent');
    },
  },
  {
    rule: 'lengths-count-utf16',
    writes: true,
    run: async (t) => {
      // The run's prefix, then emoji (two UTF-16 units each) up to exactly 150 units: one more emoji is 152.
      const prefix = t.name('');
      const name = prefix + (prefix.length % 2 === 1 ? 'x' : '') + '😀'.repeat(Math.floor((150 - prefix.length) / 2));
      const fits = await t.createParticipant({ displayName: name });
      t.expectStatus(fits, 200, 'a display name of 150 UTF-16 units, mostly emoji');
      const over = await t.createParticipant({ displayName: `${name.slice(0, -2)}😀😀` });
      t.expectProblem(over, 400, 'a display name of 152 UTF-16 units');
    },
  },
];

/** Every check, one per rule. */
export const CHECKS: readonly Check[] = [...RULE_CHECKS, ...MORE_CHECKS, ...CONFIG_OPS_CHECKS, ...MESSAGING_CHECKS, ...AGENT_CHECKS];
