import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTitle, hasChromium, launchChromium } from './chromium.js';
import { startMock, type MockServer } from '../src/index.js';

const title = browserTitle('the OAuth popup in a real browser');

/** A frontend on another origin, running the connect flow the way a real app would. */
const APP_PAGE = `<!doctype html>
<html><body>
<button id="connect">Connect GitHub</button>
<script>
const params = new URLSearchParams(location.search);
const mock = params.get('mock');
const headers = { Authorization: 'Bearer browser-token', 'Content-Type': 'application/json' };
const api = (path, body) => fetch(mock + '/v1/tenants/acme/integrations/github' + path, { method: 'POST', headers, body: JSON.stringify(body) });
document.getElementById('connect').addEventListener('click', async () => {
  const { authorizationUrl } = await (await api(':authorize', { integrationAuthMetadataId: 'oauth2', scopes: ['repo'] })).json();
  const message = await new Promise((resolve) => {
    window.addEventListener('message', (event) => { if (event.data && event.data.type === 'fruxon-oauth') resolve(event.data); });
    window.open(authorizationUrl, 'fruxon-oauth', 'popup,width=480,height=640');
  });
  if (message.status !== 'success') { window.result = { message }; return; }
  const config = await (await api('/configs', { displayName: 'GitHub', oAuthCredentialKey: message.credentialKey })).json();
  window.result = { message, config };
});
</script>
</body></html>`;

describe.skipIf(!hasChromium)(title, () => {
  let mock: MockServer;
  let app: Server;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMock();
    app = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(APP_PAGE));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    // Another port is another origin: the mock must answer CORS for the flow to work at all.
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/?mock=${encodeURIComponent(mock.url)}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await mock?.close();
  });

  async function connect(decision: '#approve' | '#deny'): Promise<{ page: Page; result: Record<string, any> }> {
    const page = await browser.newPage();
    await page.goto(appUrl);
    const popupOpened = page.waitForEvent('popup');
    await page.click('#connect');
    const popup = await popupOpened;
    await popup.waitForSelector(decision);
    expect(await popup.textContent('h1')).toBe('Connect GitHub');
    const closed = popup.waitForEvent('close');
    await popup.click(decision);
    await closed;
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined);
    const result = await page.evaluate(() => (window as unknown as { result: Record<string, any> }).result);
    return { page, result };
  }

  it('approving hands the opener a key that connects a config, and the popup closes itself', async () => {
    const { page, result } = await connect('#approve');
    expect(result.message).toMatchObject({ type: 'fruxon-oauth', status: 'success', integrationId: 'github', scopes: ['repo'] });
    expect(result.config).toMatchObject({ displayName: 'GitHub', hasAuth: true, auth: { grantedScopes: ['repo'] } });
    expect(mock.journal({ operationId: 'createIntegrationConfig' })[0]).toMatchObject({ status: 200, requestBody: { oAuthCredentialKey: '[redacted]' } });
    await page.close();
  }, 60_000);

  it('denying reports access_denied to the opener', async () => {
    const { page, result } = await connect('#deny');
    expect(result.message).toMatchObject({ type: 'fruxon-oauth', status: 'error', error: 'access_denied' });
    await page.close();
  }, 60_000);
});
