import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import type { Catalog } from './catalog/types.js';
import { Generator, logicalClock } from './generate/generator.js';
import { Store } from './store/store.js';
import type { StoreData } from './store/types.js';

/** The demo tenant; the README's walkthroughs use it. */
export const DEMO_TENANT = 'acme';

/** When the demo's records were made: a fixed clock, so the same seed gives the same demo byte for byte. */
const DEMO_EPOCH = Date.UTC(2026, 10, 2, 9, 0, 0);

/**
 * A request of the demo, relative to `/v1/tenants/acme` (or to `/__mock` with `control`); `as` names the id of
 * the answer for later steps.
 */
type Step = { method: 'POST' | 'PATCH' | 'PUT'; path: string; body?: unknown; as?: string; control?: boolean };

/** A failed demo step: fixtures without what the demo uses (`--fixtures`), or a change that broke it (a test catches those). */
export class DemoError extends Error {
  override name = 'DemoError';
}

/**
 * The demo's state: a tenant with published configs and revision history, participants of every kind with
 * channels, bindings and roster data, and an AI-agent participant. It is made by sending the API's own
 * requests to a private app on an in-memory store, so every record is one the API itself could have made,
 * and taken as a snapshot (`--demo` loads it and `reset()` returns to it).
 */
export async function buildDemoState(catalog: Catalog, seed: number): Promise<StoreData> {
  const store = await Store.openMemory();
  const app = createApp({ store, catalog: structuredClone(catalog), generator: new Generator(seed), clock: logicalClock(DEMO_EPOCH) });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ids: Record<string, string> = {};
    for (const step of demoSteps()) {
      const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? `{${name}}`);
      const path = fill(step.path);
      const response = await fetch(origin + (step.control ? `/__mock${path}` : `/v1/tenants/${DEMO_TENANT}${path}`), {
        method: step.method,
        headers: { Authorization: 'Bearer demo', ...(step.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: step.body === undefined ? undefined : fill(JSON.stringify(step.body)),
      });
      const text = await response.text();
      if (!response.ok) throw new DemoError(`cannot build the demo: ${step.method} ${path} answered ${response.status} (the demo needs the shipped fixtures' integrations and agents): ${text.slice(0, 300)}`);
      if (step.as) ids[step.as] = String((JSON.parse(text) as { id: string }).id);
    }
    await store.settled();
    return store.snapshot();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  }
}

const configs = (integration: string) => `/integrations/${integration}/configs`;

function demoSteps(): Step[] {
  return [
    // Slack: published twice, so the config has a revision history; the draft then moves on once more.
    { method: 'POST', path: configs('slack'), as: 'slack', body: { displayName: 'Acme workspace', parameters: { workspace_domain: 'acme.slack.com' }, auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 'xoxb-demo-not-a-real-token' } } } },
    { method: 'POST', path: `${configs('slack')}/{slack}:publish`, body: { note: 'First workspace install' } },
    { method: 'PATCH', path: `${configs('slack')}/{slack}`, body: { displayName: 'Acme workspace (production)' } },
    { method: 'POST', path: `${configs('slack')}/{slack}:publish`, body: { note: 'Renamed for production' } },
    { method: 'PATCH', path: `${configs('slack')}/{slack}`, body: { parameters: { workspace_domain: 'acme-eu.slack.com' } } },
    // Telegram: the support bot, published, with its inbound webhook minted.
    { method: 'POST', path: configs('telegram'), as: 'telegram', body: { displayName: 'Support bot', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: '700000001:demo-bot-token' } } } },
    { method: 'POST', path: `${configs('telegram')}/{telegram}:publish`, body: { note: 'Go live' } },
    { method: 'POST', path: `${configs('telegram')}/{telegram}:generateWebhookUrl` },
    // Twilio and e-mail, published; GitHub left as a draft without credentials.
    { method: 'POST', path: configs('twilio'), as: 'twilio', body: { displayName: 'SMS line', parameters: { from_number: '+14155550100' }, auth: { integrationAuthMetadataId: 'basic', parameters: { account_sid: 'AC0000demo', auth_token: 'demo-auth-token' } } } },
    { method: 'POST', path: `${configs('twilio')}/{twilio}:publish`, body: { note: 'Pager line' } },
    { method: 'POST', path: configs('email'), as: 'email', body: { displayName: 'Support mailbox', parameters: { host: 'smtp.acme.example' }, auth: { integrationAuthMetadataId: 'basic', parameters: { username: 'support@acme.example', password: 'demo-password' } } } },
    { method: 'POST', path: `${configs('email')}/{email}:publish`, body: { note: 'SMTP relay' } },
    { method: 'POST', path: configs('github'), body: { displayName: 'Engineering org (not connected yet)' } },
    // Participants of every kind, with channels on those configs and bindings to the catalog's agents.
    {
      method: 'POST', path: '/participants', as: 'ada',
      body: {
        kind: 'PERSON', displayName: 'Ada Lovelace', email: 'ada@acme.example', agentIds: ['support_bot', 'triage_agent'],
        channels: [
          { integrationConfigId: '{slack}', address: 'U0ADA12345', priority: 10, label: 'Slack DM' },
          { integrationConfigId: '{email}', address: 'ada@acme.example', priority: 1, label: 'Work mail' },
        ],
      },
    },
    { method: 'PATCH', path: '/participants/{ada}/bindings/triage_agent/roster', body: { roles: ['on-call', 'backend'], consultAllowed: true, maxUrgency: 'HIGH', defaultForRoles: ['on-call'] } },
    {
      method: 'POST', path: '/participants', as: 'grace',
      body: { kind: 'PERSON', displayName: 'Grace Hopper', email: 'grace@acme.example', agentIds: ['support_bot'], channels: [{ integrationConfigId: '{telegram}', address: '123456789', label: 'Telegram' }, { integrationConfigId: '{twilio}', address: '+14155550123', priority: -1, label: 'Mobile', disabled: true }] },
    },
    {
      method: 'POST', path: '/participants', as: 'oncall',
      body: { kind: 'GROUP', displayName: 'On-call engineers', agentIds: ['triage_agent'], channels: [{ integrationConfigId: '{slack}', address: 'C0ONCALL01', label: '#on-call' }] },
    },
    { method: 'PATCH', path: '/participants/{oncall}/bindings/triage_agent/roster', body: { roles: ['on-call'], consultAllowed: true, maxUrgency: 'EMERGENCY', defaultForRoles: ['on-call'] } },
    { method: 'POST', path: '/participants', body: { kind: 'AI_AGENT', displayName: 'Triage agent', relatedAgentId: 'triage_agent', agentIds: ['support_bot'] } },
    {
      method: 'POST', path: '/participants', as: 'linus',
      body: { kind: 'PERSON', displayName: 'Linus (on leave)', channels: [{ integrationConfigId: '{twilio}', address: '+14155550199', label: 'Mobile' }] },
    },
    { method: 'POST', path: '/participants/{linus}:disable' },
    // Someone the support bot does not know writes to it on Telegram: an access request waits for approval.
    { method: 'POST', path: '/inbound-messages', control: true, body: { tenant: DEMO_TENANT, agentId: 'support_bot', integrationConfigId: '{telegram}', address: '987654321', displayName: 'Margaret Hamilton', text: 'Hi, can I get access to the support bot?' } },
  ];
}
