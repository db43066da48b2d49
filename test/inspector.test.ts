import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTitle, hasChromium, launchChromium } from './chromium.js';
import { startMock, type MockServer } from '../src/index.js';

const title = browserTitle('the inspector page in a real browser');

const SECRET = 'xoxb-inspector-secret';

async function createConfig(mock: MockServer, displayName: string): Promise<string> {
  const res = await fetch(`${mock.url}/v1/tenants/acme/integrations/slack/configs`, {
    method: 'POST',
    headers: { Authorization: 'Bearer owner', 'Content-Type': 'application/json' },
    body: JSON.stringify({ displayName, auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: SECRET } } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe('the inspector API (no browser)', () => {
  it('inspector-same-origin: serves the page, script and style without a token, with a CSP that allows only its own origin and no framing', async () => {
    const mock = await startMock({ controlToken: 'inspector-token' });
    try {
      for (const [path, type] of [['/__mock', 'text/html'], ['/__mock/inspector.js', 'text/javascript'], ['/__mock/inspector.css', 'text/css']] as const) {
        const res = await fetch(mock.url + path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type')).toContain(type);
        expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(res.headers.get('x-frame-options')).toBe('DENY');
      }
      // The data needs the token; a page of another site gets nothing, not even the page.
      expect((await fetch(`${mock.url}/__mock/overview`)).status).toBe(401);
      expect((await fetch(`${mock.url}/__mock`, { headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
      const overview = await fetch(`${mock.url}/__mock/overview`, { headers: { Authorization: 'Bearer inspector-token' } });
      expect(overview.status).toBe(200);
      expect(await overview.json()).toEqual({ tenants: [] });
    } finally {
      await mock.close();
    }
  });

  it('overview shows configs with revisions and participants with bindings as the API does, without credentials', async () => {
    const mock = await startMock();
    try {
      const id = await createConfig(mock, 'Shown');
      const headers = { Authorization: 'Bearer owner', 'Content-Type': 'application/json' };
      await fetch(`${mock.url}/v1/tenants/acme/integrations/slack/configs/${id}:publish`, { method: 'POST', headers, body: '{}' });
      await fetch(`${mock.url}/v1/tenants/acme/participants`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ displayName: 'Ada', agentIds: ['support_bot'], channels: [{ integrationConfigId: id, address: 'U0ADA12345' }] }),
      });
      const res = await fetch(`${mock.url}/__mock/overview`);
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      const body = JSON.parse(text) as { tenants: { tenant: string; configs: { id: string; publishedRevisionId: string; revisions: { id: string; version: number }[] }[]; participants: { displayName: string; health: { reachable: boolean }; bindings: { agentId: string }[] }[] }[] };
      expect(body.tenants.map((t) => t.tenant)).toEqual(['acme']);
      const [config] = body.tenants[0]!.configs;
      expect(config!.revisions.map((r) => r.version)).toEqual([1]);
      expect(config!.publishedRevisionId).toBe(config!.revisions[0]!.id);
      const [ada] = body.tenants[0]!.participants;
      expect(ada).toMatchObject({ displayName: 'Ada', health: { reachable: true }, bindings: [{ agentId: 'support_bot' }] });
    } finally {
      await mock.close();
    }
  });

  it('GET / links to the inspector: a page for a browser, JSON otherwise', async () => {
    const mock = await startMock();
    try {
      const page = await fetch(`${mock.url}/`, { headers: { Accept: 'text/html' } });
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('href="/__mock"');
      const json = await fetch(`${mock.url}/`);
      expect(await json.json()).toMatchObject({ name: 'fruxon-mock', links: { inspector: '/__mock' } });
    } finally {
      await mock.close();
    }
  });
});

describe.skipIf(!hasChromium)(title, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(mock: MockServer): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('401')) errors.push(message.text());
    });
    await page.goto(`${mock.url}/__mock`);
    (page as Page & { errors?: string[] }).errors = errors;
    return page;
  }

  it('shows a record created through the API, the request in the log with its body, and reset empties both', async () => {
    const mock = await startMock();
    try {
      const page = await open(mock);
      await page.waitForSelector('text=The store is empty.');
      await createConfig(mock, 'Made by the API');
      await page.waitForSelector('#store >> text=Made by the API', { timeout: 5000 });
      await page.waitForSelector('#log >> text=createIntegrationConfig', { timeout: 5000 });
      expect(await page.textContent('#log tbody')).toContain('200');
      await page.click('#log tr.entry >> text=createIntegrationConfig');
      const detail = await page.textContent('#detail');
      expect(detail).toContain('Made by the API');
      expect(detail).not.toContain(SECRET);

      await page.click('#reset');
      await page.waitForSelector('text=The store is empty.', { timeout: 5000 });
      expect(mock.state().configs).toEqual({});
      await expect.poll(async () => (await page.$$('#log tr.entry')).length, { timeout: 5000 }).toBe(0);
      expect((page as Page & { errors?: string[] }).errors).toEqual([]);
      await page.close();
    } finally {
      await mock.close();
    }
  }, 60_000);

  it('with a control token, asks for it once and then shows the data; fault and stub toggles remove and restore a rule', async () => {
    const mock = await startMock({ controlToken: 'page-token' });
    try {
      await createConfig(mock, 'Behind a token');
      mock.addFault({ operationId: 'listIntegrationConfigs', status: 503 });
      const page = await open(mock);
      await page.waitForSelector('#token-form:not([hidden])');
      await page.fill('#token', 'page-token');
      await page.click('#token-form button');
      await page.waitForSelector('#store >> text=Behind a token', { timeout: 5000 });
      await page.waitForSelector('#faults >> text=listIntegrationConfigs');
      mock.addStub({ operationId: 'getIntegration', status: 200, body: { id: 'stubbed' } });
      await page.waitForSelector('#faults >> text=stub: answers 200');
      expect(await page.$$('#faults input[type=checkbox]')).toHaveLength(2);
      await page.click('#faults .fault:has-text("stub") input');
      await expect.poll(() => mock.stubs().length, { timeout: 5000 }).toBe(0);
      await page.click('#faults .fault:has-text("stub") input');
      await expect.poll(() => mock.stubs().map((r) => r.body), { timeout: 5000 }).toEqual([{ id: 'stubbed' }]);
      await page.click('#faults .fault:has-text("fault") input');
      await expect.poll(() => mock.faults().length, { timeout: 5000 }).toBe(0);
      await page.click('#faults .fault:has-text("fault") input');
      await expect.poll(() => mock.faults().map((f) => f.status), { timeout: 5000 }).toEqual([503]);
      await page.close();
    } finally {
      await mock.close();
    }
  }, 60_000);
});
