/**
 * The ceiling: a bare Express 5 server answering the same routes with the same JSON shapes as fruxon-mock,
 * from a Map, with no spec validation, no auth check and no persistence. Started by the bench as its own
 * process: `node dist/bench/bare-express.js PORT`.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';

type Config = Record<string, unknown> & { id: string; tenant: string; integrationId: string };

const port = Number(process.argv[2] ?? 4030);
const configs = new Map<string, Config>();
let revisionCount = 0;

const view = ({ tenant: _tenant, ...config }: Config) => config;

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json());

const base = '/v1/tenants/:tenant';
app.get(`${base}/integrations`, (_req, res) => {
  res.json([]);
});

app.post(`${base}/integrations/:integration/configs`, (req, res) => {
  const now = Date.now();
  const body = req.body as { displayName?: string; auth?: { integrationAuthMetadataId?: string } };
  const config: Config = {
    id: randomUUID(),
    tenant: req.params.tenant,
    integrationId: req.params.integration,
    displayName: body.displayName ?? null,
    parameters: {},
    hasAuth: Boolean(body.auth),
    hasAuthMap: false,
    authMethodId: body.auth?.integrationAuthMetadataId ?? null,
    auth: body.auth ? { level: 'APPLICATION', integrationAuthMetadataId: body.auth.integrationAuthMetadataId, grantedScopes: [] } : null,
    authMapEntries: [],
    sandboxMode: 'NONE',
    sandboxVariant: null,
    publishedRevisionId: null,
    createdBy: 'someone@example.com',
    createdAt: now,
    modifiedAt: now,
  };
  configs.set(config.id, config);
  res.json(view(config));
});

app.get(`${base}/integrations/:integration/configs`, (req, res) => {
  const { tenant, integration } = req.params;
  res.json([...configs.values()].filter((c) => c.tenant === tenant && c.integrationId === integration).map(view));
});

app.get(`${base}/integrations/:integration/configs/:config`, (req, res) => {
  const config = configs.get(req.params.config);
  if (config) res.json(view(config));
  else res.status(404).json({ status: 404 });
});

app.patch(`${base}/integrations/:integration/configs/:config`, (req, res) => {
  const config = configs.get(req.params.config);
  if (!config) {
    res.status(404).json({ status: 404 });
    return;
  }
  const next = { ...config, ...(req.body as object), modifiedAt: Date.now() };
  configs.set(config.id, next);
  res.json(view(next));
});

// `{config}:publish` and `{config}:testTool`: one route, split on the colon.
app.post(`${base}/integrations/:integration/configs/:action`, (req, res) => {
  const [id = '', verb] = req.params.action.split(':');
  const config = configs.get(id);
  if (!config) {
    res.status(404).json({ status: 404 });
    return;
  }
  if (verb === 'publish') {
    revisionCount += 1;
    const revision = {
      id: randomUUID(),
      tenantId: randomUUID(),
      configId: id,
      version: revisionCount,
      parameters: {},
      auth: config.auth,
      authMap: [],
      sandboxMode: 'NONE',
      sandboxVariant: null,
      note: null,
      createdBy: 'someone@example.com',
      createdAt: Date.now(),
    };
    configs.set(id, { ...config, publishedRevisionId: revision.id });
    res.json(revision);
  } else if (verb === 'testTool') {
    res.set('X-Mock-Revision', `${String(config.publishedRevisionId)}; version=1`).json({ response: '{"channels":[]}' });
  } else {
    res.status(404).json({ status: 404 });
  }
});

app.post(`${base}/participants`, (req, res) => {
  const now = Date.now();
  const body = req.body as { displayName: string; channels?: object[]; agentIds?: string[] };
  res.json({
    id: randomUUID(),
    kind: 'PERSON',
    displayName: body.displayName,
    email: null,
    channels: (body.channels ?? []).map((c) => ({ priority: 0, label: null, disabled: false, ...c })),
    bindings: (body.agentIds ?? []).map((agentId) => ({ id: randomUUID(), agentId, roles: [], createdAt: now })),
    createdAt: now,
    modifiedAt: now,
  });
});

// Hosted the usual way.
app.listen(port, '127.0.0.1');
