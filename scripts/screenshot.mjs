// Makes docs/inspector.png: the inspector on the demo tenant after a few requests. Needs Debian's chromium.
// Run with `npm run screenshot` (it builds first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMock } from '../dist/src/index.js';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`screenshot: ${CHROMIUM} is missing (apt-get install chromium)\n`);
  process.exit(2);
}
const out = fileURLToPath(new URL('../docs/inspector.png', import.meta.url));
const mock = await startMock({ demo: true, time: Date.UTC(2026, 11, 3, 10, 0, 0) });
const api = (method, path, body) =>
  fetch(`${mock.url}/v1/tenants/acme${path}`, {
    method,
    headers: { Authorization: 'Bearer demo', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
await api('GET', '/participants');
await api('GET', '/integrations/slack/configs');
await api('POST', '/integrations/slack/configs', { displayName: '' , sandboxMode: 'LIVE' });
await api('POST', '/participants', { displayName: 'Katherine Johnson', kind: 'PERSON', agentIds: ['support_bot'] });
await api('GET', '/participantAccessRequests?Status=PENDING');
mock.addFault({ operationId: 'listIntegrationConfigs', status: 503, times: 'once' });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(`${mock.url}/__mock`);
await page.waitForSelector('#store >> text=Ada Lovelace');
await page.waitForSelector('#log tr.entry');
await page.click('#log tr.entry >> text=400');
await page.screenshot({ path: out, fullPage: true });
await browser.close();
await mock.close();
process.stdout.write(`screenshot: wrote ${out}\n`);
