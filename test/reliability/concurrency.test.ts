import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { configsPath, makeHarness } from '../helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('concurrency on a real lowdb file', () => {
  const withFileHarness = async (run: (h: Awaited<ReturnType<typeof makeHarness>>) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-conc-'));
    try {
      await run(await makeHarness({ store: await Store.openFile(join(dir, 'state.json')) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('gives N concurrent publishes of one config versions 1..N, no gap, no duplicate', () =>
    withFileHarness(async (h) => {
      const { id } = (await h.api.post(configsPath(), { displayName: 'x' })).body;
      const path = `${configsPath()}/${id}`;
      const results = await Promise.all(Array.from({ length: 40 }, () => h.api.post(`${path}:publish`)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      const versions = results.map((r) => r.body.version as number).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const stored = (await h.api.get(`${path}/revisions`)).body.map((r: { version: number }) => r.version);
      expect(stored).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }));

  it('loses no field to concurrent patches of different fields', () =>
    withFileHarness(async (h) => {
      const { id } = (await h.api.post(configsPath(), { displayName: 'x' })).body;
      const path = `${configsPath()}/${id}`;
      const results = await Promise.all([
        h.api.patch(path, { displayName: 'renamed' }),
        h.api.patch(path, { parameters: { workspace_domain: 'acme' } }),
        h.api.patch(path, { sandboxMode: 'SIMULATED' }),
        h.api.patch(path, { authMap: [{ parameters: { team: 'T1' } }] }),
        h.api.patch(path, { auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect((await h.api.get(path)).body).toMatchObject({
        displayName: 'renamed',
        parameters: { workspace_domain: 'acme' },
        sandboxMode: 'SIMULATED',
        authMapEntries: [{ parameters: { team: 'T1' } }],
        authMethodId: 'bot_token',
      });
    }));

  it('gives concurrent creates distinct ids, all stored', () =>
    withFileHarness(async (h) => {
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => h.api.post(configsPath(), { displayName: `c${i}` })));
      const ids = new Set(results.map((r) => r.body.id));
      expect(ids.size).toBe(60);
      expect((await h.api.get(configsPath())).body).toHaveLength(60);
    }));

  it('lets exactly one of many concurrent creates consume the same OAuth key', () =>
    withFileHarness(async (h) => {
      const key = await h.mintKey('acme', 'slack');
      const results = await Promise.all(
        Array.from({ length: 10 }, () => h.api.post(configsPath(), { displayName: 'x', oAuthCredentialKey: key })),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 400)).toHaveLength(9);
      expect((await h.api.get(configsPath())).body).toHaveLength(1);
    }));

  it('gives concurrent binds of the same agent exactly one binding', () =>
    withFileHarness(async (h) => {
      const participant = (await h.api.post('/participants', { displayName: 'Ada' })).body.id;
      const results = await Promise.all(
        Array.from({ length: 20 }, () => h.api.put(`/participants/${participant}/bindings/support_bot`)),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(Object.values(h.store.snapshot().bindings).filter((b) => b.participantId === participant)).toHaveLength(1);
      expect((await h.api.get(`/participants/${participant}`)).body.agentIds).toEqual(['support_bot']);
    }));
});
