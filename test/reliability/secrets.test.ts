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
      await call('GET', '/__mock/requests');
      await call('GET', '/__mock/state');

      for (const body of bodies) expect(body).not.toContain(MARK);
      expect(bodies.length).toBe(15);
      const state = await fetch(`${url}/__mock/state?includeSecrets=true`, { headers: { Authorization: `Bearer ${control}` } });
      expect(await state.text()).toContain(`${MARK}-patched`);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    expect(cli.output()).not.toContain(MARK);
  });
});
