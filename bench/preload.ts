import { writeFileSync } from 'node:fs';
import { Generator } from '../src/generate/generator.js';
import { emptyData, type ConfigRecord } from '../src/store/types.js';

const TENANTS = 100;
const T0 = 1767225600000;

/**
 * Writes a store file holding `count` configs spread over 100 tenants, shaped as `POST .../configs` stores
 * them and pretty-printed as lowdb writes it: the state a long-lived mock reaches, without sending `count`
 * requests. Returns the file's size in bytes.
 */
export function writePreloadedStore(file: string, count: number): number {
  const generator = new Generator(7);
  const data = emptyData();
  for (let sequence = 1; sequence <= count; sequence++) {
    const config: ConfigRecord = {
      id: generator.uuid(sequence),
      tenant: `tenant-${sequence % TENANTS}`,
      integrationId: 'slack',
      displayName: `Workspace ${sequence}`,
      parameters: { workspace_domain: `team-${sequence}.slack.com` },
      auth: {
        integrationAuthMetadataId: 'bot_token',
        level: 'APPLICATION',
        parameters: { token: `xoxb-${sequence}` },
        grantedScopes: [],
        source: 'REQUEST',
      },
      authMap: [],
      sandboxMode: 'NONE',
      sandboxVariant: null,
      publishedRevisionId: null,
      createdBy: 'someone@example.com',
      createdAt: T0 + sequence,
      modifiedAt: T0 + sequence,
    };
    data.configs[config.id] = config;
  }
  data.meta.sequence = count;
  const text = JSON.stringify(data, null, 2);
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}

/** The same records as json-server's `configs` collection (an array), for its growth runs. */
export function writePreloadedJsonServerDb(file: string, count: number): number {
  const configs = Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    tenant: `tenant-${i % TENANTS}`,
    integrationId: 'slack',
    displayName: `Workspace ${i + 1}`,
    auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: `xoxb-${i + 1}` } },
  }));
  const text = JSON.stringify({ configs, participants: [] }, null, 2);
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}
