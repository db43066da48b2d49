import { CheckSkipped, type CheckContext, type Exchange, type Integration } from './context.js';
import type { Check } from './checks.js';

/**
 * Checks of the config operations around the lifecycle (the published revision, webhooks, identity) and of the
 * tenant's custom integrations. The webhook checks need the system integrations by id: `telegram` (one webhook
 * per bot, with a registration API and an inspector), `twilio` (webhooks owned per binding) and `slack` (no
 * registration API); a tenant without one of them skips the checks that need it.
 */

const CANARY = 'conformance-canary-4c7d2a';

function bodyOf(exchange: Exchange): Record<string, unknown> {
  return (exchange.body ?? {}) as Record<string, unknown>;
}

async function byId(t: CheckContext, id: string): Promise<Integration> {
  return t.need(`'${id}' integration`, (i) => i.id === id);
}

/** A config of the run on `integrationId`, with every credential of its first auth method set to the canary. */
async function configOn(t: CheckContext, integrationId: string, withAuth = true): Promise<{ id: string; path: string }> {
  const integration = await byId(t, integrationId);
  const method = integration.configMetadata?.authMetadata?.find((m) => m.type !== 'OAUTH2') ?? integration.configMetadata?.authMetadata?.[0];
  const auth = withAuth && method
    ? { integrationAuthMetadataId: method.id, parameters: Object.fromEntries((method.parametersMetadata ?? []).map((p) => [p.name, `${CANARY}-${p.name}`])) }
    : undefined;
  const created = await t.createConfig(integrationId, { displayName: t.name(`${integrationId} webhooks`), ...(auth ? { auth } : {}) });
  t.expectStatus(created, 200, `creating a config on ${integrationId}`);
  const id = String(bodyOf(created).id);
  return { id, path: `/integrations/${integrationId}/configs/${id}` };
}

/** The last path segment of a minted webhook URL: the key, which no read may show. */
const keyOf = (url: string) => url.split('/').pop() ?? url;

/** An id for a custom integration of this run: letters, digits, `_` and `-` only. */
function customId(t: CheckContext, what: string): string {
  return `conformance_${t.runId}_${what}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

async function createCustom(t: CheckContext, body: Record<string, unknown>): Promise<Exchange> {
  return t.create('/integrations', body, (created) => `/integrations/${String(created.id)}`);
}

async function mintWebhook(t: CheckContext, path: string): Promise<string> {
  const minted = await t.call('POST', `${path}:generateWebhookUrl`);
  t.expectStatus(minted, 200, ':generateWebhookUrl');
  const url = bodyOf(minted).webhookUrl;
  t.expect(typeof url === 'string' && url.length > 0, ':generateWebhookUrl should answer the webhookUrl', minted);
  return url as string;
}

/** The path of a new draft config of the run, on the first integration of the tenant. */
async function draftPath(t: CheckContext, what: string): Promise<string> {
  const integration = await t.need('integration', () => true);
  const created = await t.createConfig(integration.id, { displayName: t.name(what) });
  t.expectStatus(created, 200, 'creating a config');
  return `/integrations/${integration.id}/configs/${String(bodyOf(created).id)}`;
}

export const CONFIG_OPS_CHECKS: readonly Check[] = [
  {
    rule: 'published-revision-get',
    writes: true,
    run: async (t) => {
      const path = await draftPath(t, 'published revision');
      t.expectProblem(await t.call('GET', `${path}/publishedRevision`), 400, 'the published revision of a config never published');
      const published = await t.call('POST', `${path}:publish`, {});
      t.expectStatus(published, 200, ':publish');
      const read = await t.call('GET', `${path}/publishedRevision`);
      t.expectStatus(read, 200, 'the published revision after :publish');
      t.expect(bodyOf(read).id === bodyOf(published).id, 'the published revision should be the one :publish made', read);
    },
  },
  {
    rule: 'published-revision-path',
    writes: true,
    run: async (t) => {
      const path = await draftPath(t, 'published revision path');
      t.expectStatus(await t.call('POST', `${path}:publish`, {}), 200, ':publish');
      const config = await t.call('GET', path);
      const read = await t.call('GET', `${path}/publishedRevision`);
      t.expectStatus(read, 200, `GET ${path}/publishedRevision`);
      t.expect(bodyOf(read).id === bodyOf(config).publishedRevisionId, 'the path should serve the revision publishedRevisionId names', read);
    },
  },
  {
    rule: 'webhook-generate-once',
    writes: true,
    run: async (t) => {
      const { path } = await configOn(t, 'telegram');
      const url = await mintWebhook(t, path);
      t.expectProblem(await t.call('POST', `${path}:generateWebhookUrl`), 400, 'a second :generateWebhookUrl');
      const read = await t.call('GET', path);
      t.expect(!JSON.stringify(read.body).includes(keyOf(url)), 'a read of the config should never show the webhook key', read);
    },
  },
  {
    rule: 'webhook-per-binding-400',
    writes: true,
    run: async (t) => {
      const { path } = await configOn(t, 'twilio', false);
      t.expectProblem(await t.call('POST', `${path}:generateWebhookUrl`), 400, ':generateWebhookUrl on a per-binding integration');
      t.expectProblem(await t.call('POST', `${path}/webhook:rotate`), 400, 'webhook:rotate on a per-binding integration');
    },
  },
  {
    rule: 'webhook-rotate-revokes',
    writes: true,
    run: async (t) => {
      const { path } = await configOn(t, 'telegram');
      const first = await mintWebhook(t, path);
      const rotated = await t.call('POST', `${path}/webhook:rotate`);
      t.expectStatus(rotated, 200, 'webhook:rotate');
      const next = bodyOf(rotated).webhookUrl;
      t.expect(typeof next === 'string' && keyOf(next) !== keyOf(first), 'webhook:rotate should answer a URL with a new key', rotated);
    },
  },
  {
    rule: 'webhook-rotate-needs-key',
    writes: true,
    run: async (t) => {
      const { path } = await configOn(t, 'telegram');
      t.expectProblem(await t.call('POST', `${path}/webhook:rotate`), 400, 'webhook:rotate before any key was minted');
    },
  },
  {
    rule: 'webhook-key-secret',
    writes: true,
    run: async (t) => {
      const { path } = await configOn(t, 'telegram');
      const key = keyOf(await mintWebhook(t, path));
      const reads = [await t.call('GET', path), await t.call('GET', path.slice(0, path.lastIndexOf('/')))];
      for (const read of reads) t.expect(!JSON.stringify(read.body).includes(key), `${read.path} should not show the webhook key`, read);
    },
  },
  {
    rule: 'webhook-apply-to-provider',
    writes: true,
    run: async (t) => {
      const telegram = await configOn(t, 'telegram');
      const url = await mintWebhook(t, telegram.path);
      const applied = await t.call('POST', `${telegram.path}:applyWebhookToProvider`, { webhookUrl: url });
      t.expectStatus(applied, 200, ':applyWebhookToProvider on Telegram');
      const body = bodyOf(applied);
      t.expect(typeof body.applied === 'boolean', 'the answer should say whether the provider took the URL', applied);
      if (body.applied === false) t.expect(typeof body.errorMessage === 'string' && body.errorMessage !== '', 'a refusal should carry errorMessage', applied);
      const slack = await configOn(t, 'slack');
      const slackUrl = await t.call('POST', `${slack.path}:generateWebhookUrl`);
      const webhookUrl = typeof bodyOf(slackUrl).webhookUrl === 'string' ? bodyOf(slackUrl).webhookUrl : url;
      t.expectProblem(await t.call('POST', `${slack.path}:applyWebhookToProvider`, { webhookUrl }), 400, ':applyWebhookToProvider on Slack (no registration API)');
    },
  },
  {
    rule: 'webhook-inspect',
    writes: true,
    run: async (t) => {
      const telegram = await configOn(t, 'telegram');
      const url = await mintWebhook(t, telegram.path);
      const inspected = await t.call('POST', `${telegram.path}:inspectWebhook`, { expectedWebhookUrl: url });
      t.expectStatus(inspected, 200, ':inspectWebhook on Telegram');
      t.expect(typeof bodyOf(inspected).providerHasUrl === 'boolean', 'the inspection should say whether the provider has a URL', inspected);
      const slack = await configOn(t, 'slack');
      t.expectProblem(await t.call('POST', `${slack.path}:inspectWebhook`, {}), 400, ':inspectWebhook on Slack (no inspector)');
    },
  },
  {
    rule: 'refresh-identity-persisted',
    writes: true,
    run: async (t) => {
      const telegram = await configOn(t, 'telegram');
      const first = await t.call('POST', `${telegram.path}:refreshIdentity`);
      t.expectStatus(first, 200, ':refreshIdentity on Telegram');
      const second = await t.call('POST', `${telegram.path}:refreshIdentity`);
      t.expectStatus(second, 200, 'a second :refreshIdentity');
      const handle = (e: Exchange) => (e.body === null || e.body === undefined ? null : bodyOf(e).handle);
      t.expect(handle(first) === handle(second), 'the identity should be the same on a second refresh', second);
      const twilio = await configOn(t, 'twilio');
      const none = await t.call('POST', `${twilio.path}:refreshIdentity`);
      t.expectStatus(none, 200, ':refreshIdentity on Twilio (no resolver)');
      t.expect(none.body === null || none.body === undefined, 'an integration without a resolver should answer null', none);
    },
  },
  {
    rule: 'custom-integration-create',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'create');
      const created = await createCustom(t, { id, displayName: t.name('custom') });
      t.expectStatus(created, 200, 'POST /integrations');
      t.expect(bodyOf(created).id === id, 'the created integration should carry the id sent', created);
      t.expectStatus(await t.call('GET', `/integrations/${id}`), 200, 'GET the created integration');
      t.expectProblem(await t.call('POST', '/integrations', { id }), 400, 'a second integration with the same id');
    },
  },
  {
    rule: 'custom-integration-lengths',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'lengths');
      t.expectStatus(await createCustom(t, { id, displayName: 'n'.repeat(100), description: 'd'.repeat(500) }), 200, 'displayName of 100 and description of 500');
      t.expectProblem(await createCustom(t, { id: `${id}_long`, displayName: 'n'.repeat(101) }), 400, 'a displayName of 101');
      t.expectProblem(await t.call('PUT', `/integrations/${id}`, { description: 'd'.repeat(501) }), 400, 'a description of 501');
    },
  },
  {
    rule: 'custom-integration-per-tenant',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'tenant');
      t.expectStatus(await createCustom(t, { id }), 200, 'POST /integrations');
      t.expectProblem(await t.call('GET', `/integrations/${id}`, undefined, t.target.otherTenant), 404, 'another tenant reading the custom integration');
    },
  },
  {
    rule: 'custom-integration-credentials-hidden',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'secret');
      const body = {
        id,
        configMetadata: {
          parametersMetadata: [{ name: 'signing_key', secret: true, defaultValue: `${CANARY}-default` }],
          authMetadata: [{ id: 'api_key', type: 'API_KEY', authSettings: { parameters: { client_secret: `${CANARY}-client` } }, parametersMetadata: [{ name: 'key', secret: true }] }],
        },
      };
      const created = await createCustom(t, body);
      t.expectStatus(created, 200, 'POST /integrations with credentials');
      const reads = [created, await t.call('GET', `/integrations/${id}`), await t.call('PUT', `/integrations/${id}`, { displayName: t.name('secret') })];
      for (const read of reads) t.expect(!JSON.stringify(read.body ?? '').includes(CANARY), `${read.method} ${read.path} should not show a credential`, read);
    },
  },
  {
    rule: 'custom-integration-update',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'update');
      t.expectStatus(await createCustom(t, { id, displayName: t.name('before'), description: 'kept' }), 200, 'POST /integrations');
      const updated = await t.call('PUT', `/integrations/${id}`, { displayName: t.name('after') });
      t.expectStatus(updated, 200, 'PUT /integrations/{integration}');
      const read = await t.call('GET', `/integrations/${id}`);
      t.expect(bodyOf(read).displayName === t.name('after'), 'the update should change displayName', read);
      t.expect(bodyOf(read).description === 'kept', 'an omitted field should keep its value', read);
    },
  },
  {
    rule: 'custom-integration-delete-needs-no-configs',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'delete');
      t.expectStatus(await createCustom(t, { id }), 200, 'POST /integrations');
      const config = await t.createConfig(id, { displayName: t.name('on custom') });
      t.expectStatus(config, 200, 'a config on the custom integration');
      t.expectProblem(await t.call('DELETE', `/integrations/${id}`), 400, 'deleting an integration that has a config');
      t.expectStatus(await t.call('DELETE', `/integrations/${id}/configs/${String(bodyOf(config).id)}`), 204, 'deleting the config');
      t.expectStatus(await t.call('DELETE', `/integrations/${id}`), 204, 'deleting the integration once its configs are gone');
    },
  },
  {
    rule: 'fixture-integrations-read-only',
    writes: true,
    run: async (t) => {
      const system = (await t.integrations()).find((i) => (i as { type?: string }).type !== 'CUSTOM');
      if (!system) throw new CheckSkipped('the tenant has no system integration');
      t.expectProblem(await t.call('DELETE', `/integrations/${system.id}`), 404, `deleting the system integration ${system.id}`);
      t.expectStatus(await t.call('GET', `/integrations/${system.id}`), 200, `the system integration ${system.id} after the refused delete`);
    },
  },
  {
    rule: 'verify-config-supported',
    writes: true,
    run: async (t) => {
      const id = customId(t, 'verify');
      const body = {
        id,
        configMetadata: {
          authMetadata: [
            { id: 'checked', type: 'API_KEY', configTestSupported: true, parametersMetadata: [{ name: 'key', required: true, secret: true }] },
            { id: 'unchecked', type: 'BASIC', configTestSupported: false, parametersMetadata: [{ name: 'user', required: true }] },
          ],
        },
      };
      t.expectStatus(await createCustom(t, body), 200, 'POST /integrations with two auth methods');
      t.expectProblem(await t.call('POST', `/integrations/${id}:verifyConfig`, { authMetadataId: 'unchecked', authConfig: {} }), 400, ':verifyConfig on a method without configTestSupported');
      const checked = await t.call('POST', `/integrations/${id}:verifyConfig`, { authMetadataId: 'checked', authConfig: { parameters: { key: CANARY } } });
      t.expectStatus(checked, 200, ':verifyConfig on a method with configTestSupported');
      t.expect(!JSON.stringify(checked.body ?? '').includes(CANARY), ':verifyConfig should not echo the credential', checked);
    },
  },
];
