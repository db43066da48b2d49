import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTitle, hasChromium, launchChromium } from './chromium.js';
import { startMock, type MockServer } from '../src/index.js';

const title = browserTitle('a hostile page in a real browser');

/**
 * A page on another site (localhost, while the mock is 127.0.0.1) doing what it can against the mock: read
 * the store, reset it (fetch and a real form post), mint a key through the consent form, and call the API.
 */
const ATTACKER_PAGE = `<!doctype html>
<html><body>
<iframe name="sink" id="sink"></iframe>
<form id="reset" method="post" target="sink"></form>
<script>
const mock = new URLSearchParams(location.search).get('mock');
const attempt = async (run) => { try { return await run(); } catch (error) { return 'blocked: ' + error.name; } };
const readText = async (url, init) => { const res = await fetch(url, init); return res.status + ' ' + (await res.text()); };
window.run = async () => {
  const results = {};
  results.state = await attempt(() => readText(mock + '/__mock/state'));
  results.secrets = await attempt(() => readText(mock + '/__mock/state?includeSecrets=true'));
  results.resetFetch = await attempt(() => readText(mock + '/__mock/reset', { method: 'POST' }));
  results.resetNoCors = await attempt(async () => (await fetch(mock + '/__mock/reset', { method: 'POST', mode: 'no-cors' })).type);
  const headers = { Authorization: 'Bearer attacker', 'Content-Type': 'application/json' };
  const authorize = await fetch(mock + '/v1/tenants/acme/integrations/github:authorize', { method: 'POST', headers, body: JSON.stringify({ integrationAuthMetadataId: 'oauth2' }) });
  results.apiStatus = authorize.status;
  const { authorizationUrl } = await authorize.json();
  results.authorizationUrl = authorizationUrl;
  results.consentRead = await attempt(() => readText(authorizationUrl));
  results.consentPost = await attempt(async () => (await fetch(mock + '/__mock/oauth/authorize', {
    method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'consent=x&csrf=y&decision=approve',
  })).type);
  const popup = window.open(authorizationUrl, 'consent', 'popup,width=400,height=400');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  results.popupRead = await attempt(async () => popup.document.getElementById('approve').click());
  popup.close();
  const form = document.getElementById('reset');
  form.action = mock + '/__mock/reset';
  form.submit();
  return results;
};
window.frameConsent = (url) => new Promise((resolve) => {
  const frame = document.createElement('iframe');
  frame.id = 'framed';
  frame.onload = () => resolve(true);
  frame.src = url;
  document.body.appendChild(frame);
});
</script>
</body></html>`;

describe.skipIf(!hasChromium)(title, () => {
  let mock: MockServer;
  let attacker: Server;
  let attackerUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMock();
    attacker = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(ATTACKER_PAGE));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    // localhost is another site than 127.0.0.1: the browser sends Sec-Fetch-Site: cross-site.
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/?mock=${encodeURIComponent(mock.url)}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await mock?.close();
  });

  it('control-foreign-origin, control-no-cors, consent-csrf-token: reads, resets and approvals all fail and the store is unchanged; /v1 still answers with CORS', async () => {
    const created = await fetch(`${mock.url}/v1/tenants/acme/integrations/slack/configs`, {
      method: 'POST',
      headers: { Authorization: 'Bearer owner', 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'kept', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 'xoxb-secret' } } }),
    });
    expect(created.status).toBe(200);
    const before = mock.state();

    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const results = (await page.evaluate(() => (window as unknown as { run: () => Promise<Record<string, unknown>> }).run())) as Record<string, string | number>;
    await page.waitForTimeout(500); // the form post to the sink frame

    expect(results.state).toBe('blocked: TypeError');
    expect(results.secrets).toBe('blocked: TypeError');
    expect(results.resetFetch).toBe('blocked: TypeError');
    expect(results.resetNoCors).toBe('opaque');
    expect(results.consentRead).toBe('blocked: TypeError');
    expect(results.consentPost).toBe('opaque');
    expect(results.popupRead).toBe('blocked: SecurityError');
    expect(results.apiStatus).toBe(200);
    expect(results.authorizationUrl).toMatch(new RegExp(`^${mock.url}/__mock/oauth/authorize\\?`));

    // What the mock answered: every control call from the page a 403, the consent page a 200.
    const sink = page.frame({ name: 'sink' })!;
    expect(await sink.textContent('body')).toContain('CROSS_ORIGIN_CONTROL');

    expect(mock.state()).toEqual(before);
    expect(mock.state().oauthKeys).toEqual({});
    await page.close();
  }, 60_000);

  it('consent-no-framing: the consent page will not render in a frame, so Approve cannot be clickjacked', async () => {
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const url = `${mock.url}/__mock/oauth/authorize?tenant=acme&integration=github`;
    await page.evaluate((u) => (window as unknown as { frameConsent: (u: string) => Promise<boolean> }).frameConsent(u), url);
    const framed = await (await page.$('#framed'))!.contentFrame();
    // Chromium replaces a refused frame with an error page: no consent form is in it.
    expect(framed).not.toBeNull();
    expect(await framed!.$('#approve')).toBeNull();
    expect(mock.state().oauthKeys).toEqual({});
    await page.close();
  }, 60_000);
});
