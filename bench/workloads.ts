import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request } from 'autocannon';
import { ROOT, type RunningServer, type ServerKind } from './servers.js';

export const HEADERS = { Authorization: 'Bearer bench', 'Content-Type': 'application/json' };

const CONFIG_BODY = { displayName: 'Bench workspace', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } };
const AGENT_IDS = ['support_bot', 'triage_agent'];

/** The same operations in each server's own URLs; undefined where a server has no such operation. */
type Api = {
  createConfigPath: string;
  /** What a create sends: json-server has no route scope, so the tenant and integration go in the body. */
  createConfigBody: object;
  configPath: (id: string) => string;
  listConfigsPath: string;
  publishPath?: (id: string) => string;
  testToolPath?: (id: string) => string;
  participantsPath?: string;
};

function apiOf(kind: ServerKind, tenant: string): Api {
  if (kind === 'json-server') {
    return {
      createConfigPath: '/configs',
      createConfigBody: { tenant, integrationId: 'slack', ...CONFIG_BODY },
      configPath: (id) => `/configs/${id}`,
      listConfigsPath: `/configs?tenant=${tenant}`,
      participantsPath: HAS_PARTICIPANTS ? '/participants' : undefined,
    };
  }
  const configs = `/v1/tenants/${tenant}/integrations/slack/configs`;
  return {
    createConfigPath: configs,
    createConfigBody: CONFIG_BODY,
    configPath: (id) => `${configs}/${id}`,
    listConfigsPath: configs,
    publishPath: (id) => `${configs}/${id}:publish`,
    testToolPath: (id) => `${configs}/${id}:testTool`,
    participantsPath: HAS_PARTICIPANTS ? `/v1/tenants/${tenant}/participants` : undefined,
  };
}

/** The participant workload runs only when the spec has participants (a custom spec may not). */
const HAS_PARTICIPANTS = readFileSync(join(ROOT, 'spec/fruxon.yaml'), 'utf8').includes('operationId: createParticipant');

export type Workload = {
  name: string;
  /** One request per operation (the p99 target applies), as opposed to a chained session. */
  single: boolean;
  /** Creates what the workload needs and returns its requests, or undefined when the server cannot run it. */
  prepare: (server: RunningServer) => Promise<Request[] | undefined>;
};

export const WORKLOADS: Workload[] = [
  {
    name: 'create config',
    single: true,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-create');
      return [{ method: 'POST', path: api.createConfigPath, body: JSON.stringify(api.createConfigBody) }];
    },
  },
  {
    name: 'get config',
    single: true,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-get');
      const [id] = await createConfigs(server, api, 1);
      return [{ method: 'GET', path: api.configPath(id!) }];
    },
  },
  {
    name: 'list configs (20)',
    single: true,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-list');
      await createConfigs(server, api, 20);
      return [{ method: 'GET', path: api.listConfigsPath }];
    },
  },
  {
    name: 'patch config',
    single: true,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-patch');
      const [id] = await createConfigs(server, api, 1);
      return [{ method: 'PATCH', path: api.configPath(id!), body: JSON.stringify({ displayName: 'Renamed' }) }];
    },
  },
  {
    name: 'publish',
    single: true,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-publish');
      if (!api.publishPath) return undefined;
      const ids = await createConfigs(server, api, 50);
      let next = 0;
      return [
        {
          method: 'POST',
          path: api.publishPath(ids[0]!),
          body: JSON.stringify({ note: 'bench' }),
          setupRequest: (req) => ({ ...req, path: api.publishPath!(ids[next++ % ids.length]!) }),
        },
      ];
    },
  },
  {
    name: 'create participant',
    single: true,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-participants');
      if (!api.participantsPath) return undefined;
      const [configId] = await createConfigs(server, api, 1);
      const body = {
        displayName: 'Ada Lovelace',
        kind: 'PERSON',
        channels: [
          { integrationConfigId: configId, address: 'C0123456789' },
          { integrationConfigId: configId, address: 'U0123456789', priority: 1 },
        ],
        agentIds: AGENT_IDS,
      };
      return [{ method: 'POST', path: api.participantsPath, body: JSON.stringify(body) }];
    },
  },
  {
    name: 'session (create, patch, publish, testTool, get)',
    single: false,
    prepare: async (server) => {
      const api = apiOf(server.kind, 'bench-session');
      if (!api.publishPath || !api.testToolPath) return undefined;
      type Session = { id?: string };
      const at = (path: (id: string) => string) => (req: Request, context: Session) => ({ ...req, path: path(context.id!) });
      return [
        {
          method: 'POST',
          path: api.createConfigPath,
          body: JSON.stringify(api.createConfigBody),
          onResponse: (status: number, body: string, context: Session) => {
            if (status === 200) context.id = (JSON.parse(body) as { id: string }).id;
          },
        },
        { method: 'PATCH', path: api.createConfigPath, body: JSON.stringify({ displayName: 'Renamed' }), setupRequest: at(api.configPath) },
        { method: 'POST', path: api.createConfigPath, body: JSON.stringify({ note: 'v1' }), setupRequest: at(api.publishPath) },
        { method: 'POST', path: api.createConfigPath, body: JSON.stringify({ toolId: 'list_channels' }), setupRequest: at(api.testToolPath) },
        { method: 'GET', path: api.createConfigPath, setupRequest: at(api.configPath) },
      ] as Request[];
    },
  },
];

/** Creates `count` configs through the server's own API and returns their ids. */
async function createConfigs(server: RunningServer, api: Api, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(server.origin + api.createConfigPath, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(api.createConfigBody),
    });
    if (!res.ok) throw new Error(`${server.kind}: setup create answered ${res.status}: ${await res.text()}`);
    ids.push(((await res.json()) as { id: string | number }).id.toString());
  }
  return ids;
}
