import { describe, expect, it } from 'vitest';
import { startCli } from '../cli-process.js';

const MARK = 'CANARY-4d1f9e';

describe('secrets-never-returned, end to end', () => {
  it('never shows a credential value in any response, the journal, the state export or the logs', async () => {
    // The unredacted export needs a control token (state-secrets-need-token); it is a secret too.
    const control = `${MARK}-control`;
    const cli = startCli(['--port', '0', '--in-memory', '--control-token', control]);
    const url = await cli.url;
    const bodies: string[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${path.startsWith('/__mock') ? control : `${MARK}-bearer`}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      bodies.push(`${method} ${path} -> ${res.status}: ${text}`);
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    try {
      const api = '/v1/tenants/acme/integrations';
      const secretAuth = { integrationAuthMetadataId: 'bot_token', parameters: { token: `${MARK}-auth` } };
      const created = await call('POST', `${api}/slack/configs`, {
        displayName: 'x',
        parameters: { workspace_domain: 'acme', signing_secret: `${MARK}-param` },
        auth: secretAuth,
        authMap: [{ parameters: { team: 'T1' }, authConfig: { integrationAuthMetadataId: 'bot_token', parameters: { token: `${MARK}-map` } } }],
        sandboxVariant: { parameters: { signing_secret: `${MARK}-sandbox-param` }, auth: { ...secretAuth, parameters: { token: `${MARK}-sandbox` } } },
      });
      expect(created.status).toBe(200);
      const path = `${api}/slack/configs/${created.json.id}`;
      await call('PATCH', path, { auth: { ...secretAuth, parameters: { token: `${MARK}-patched` } } });
      await call('POST', `${path}:publish`, { note: 'n' });
      await call('POST', `${path}:verifyAuth`);
      await call('POST', `${path}:testTool`, { toolId: 'list_channels', parameters: { q: 1 } });
      await call('GET', path);
      await call('GET', `${path}/revisions`);
      await call('GET', `${api}/slack/configs`);
      // Failing requests that carry secrets must not echo them either.
      await call('POST', `${api}/slack/configs`, { displayName: 'x', auth: { ...secretAuth, level: 'USER' } });
      await call('POST', `${api}/slack/configs`, { displayName: 5, auth: secretAuth });
      await call('PATCH', path, { auth: { integrationAuthMetadataId: 'nope', parameters: { token: `${MARK}-bad` } } });
      const key = await call('POST', '/__mock/oauth/credential-keys', { tenant: 'acme', integrationId: 'slack' });
      await call('POST', `${api}/slack/configs`, { displayName: 'oauth', oAuthCredentialKey: key.json.key });
      // The published revision, ad-hoc verification, and a custom integration with credentials of its own.
      await call('GET', `${path}/publishedRevision`);
      await call('POST', `${api}/slack:verifyConfig`, { authMetadataId: 'bot_token', authConfig: { parameters: { token: `${MARK}-adhoc` } } });
      await call('POST', `${api}/slack:verifyConfig`, { authMetadataId: 'bot_token', authConfig: { parameters: { token: `${MARK}-adhoc` } }, extra: 1 });
      const custom = await call('POST', api, {
        id: 'crm',
        configMetadata: {
          parametersMetadata: [{ name: 'crm_secret', secret: true, defaultValue: `${MARK}-default` }],
          authMetadata: [{ id: 'key', type: 'API_KEY', configTestSupported: true, authSettings: { parameters: { client_secret: `${MARK}-settings` } }, parametersMetadata: [{ name: 'key', required: true }] }],
        },
      });
      expect(custom.status).toBe(200);
      await call('PUT', `${api}/crm`, { displayName: 'CRM', configMetadata: { authMetadata: [{ id: 'key', authSettings: { parameters: { client_id: `${MARK}-put` } } }] } });
      await call('GET', `${api}/crm`);
      await call('GET', api);
      const crmConfig = await call('POST', `${api}/crm/configs`, {
        displayName: 'crm',
        parameters: { crm_secret: `${MARK}-crm-param` },
        auth: { integrationAuthMetadataId: 'key', parameters: { key: `${MARK}-crm-key` } },
      });
      await call('GET', `${api}/crm/configs/${crmConfig.json.id}`);
      await call('POST', `${api}/crm:verifyConfig`, { authMetadataId: 'key', authConfig: { parameters: { key: `${MARK}-crm-adhoc` } } });
      // Webhooks: the minted URL is a secret too, shown once and never again.
      const bot = await call('POST', `${api}/telegram/configs`, { displayName: 'bot', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: `${MARK}-bot` } } });
      const botPath = `${api}/telegram/configs/${bot.json.id}`;
      const minted = await call('POST', `${botPath}:generateWebhookUrl`);
      const webhookUrl = minted.json.webhookUrl as string;
      await call('POST', `${botPath}:applyWebhookToProvider`, { webhookUrl });
      await call('POST', `${botPath}:refreshIdentity`);
      await call('GET', botPath);
      const reads = [await call('GET', '/__mock/requests'), await call('GET', '/__mock/state')];
      for (const read of reads) expect(JSON.stringify(read.json)).not.toContain(webhookUrl.split('/').pop());

      for (const body of bodies) expect(body).not.toContain(MARK);
      expect(bodies.length).toBe(30);
      const state = await fetch(`${url}/__mock/state?includeSecrets=true`, { headers: { Authorization: `Bearer ${control}` } });
      expect(await state.text()).toContain(`${MARK}-patched`);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    expect(cli.output()).not.toContain(MARK);
  });
});
