import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../src/store/store.js';
import type { BindingRecord, ConfigRecord, RevisionRecord } from '../src/store/types.js';

describe('Store.openFile', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('opens a file written before participants existed, with empty participants and bindings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-mock-'));
    dirs.push(dir);
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ meta: { schemaVersion: 1, sequence: 3 }, configs: {}, revisions: {}, oauthKeys: {} }));
    const store = await Store.openFile(file);
    expect(store.counts()).toEqual({ configs: 0, revisions: 0, oauthKeys: 0, participants: 0, bindings: 0, integrations: 0, webhookKeys: 0, accessRequests: 0, providerAnswers: 0, agents: 0, slotBindings: 0 });
    expect(await store.mutate(() => store.nextSequence())).toBe(4);
  });

  it('still refuses a participants collection that is not an object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-mock-'));
    dirs.push(dir);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ meta: { schemaVersion: 1, sequence: 0 }, configs: {}, revisions: {}, oauthKeys: {}, participants: [] }));
    await expect(Store.openFile(file)).rejects.toThrow(/participants must be an object keyed by id/);
  });
});

describe('Store.latestRevision', () => {
  const revision = (id: string, version: number, configId = 'c1', tenant = 'acme'): RevisionRecord => ({ id, tenant, tenantId: 't', configId, version, parameters: {}, auth: null, authMap: [], sandboxMode: 'NONE', sandboxVariant: null, note: null, createdBy: 'u', createdAt: 0 });
  const config = (id: string): ConfigRecord => ({ id, tenant: 'acme', integrationId: 'slack', displayName: null, parameters: {}, auth: null, authMap: [], sandboxMode: 'NONE', sandboxVariant: null, publishedRevisionId: null, createdBy: 'u', createdAt: 0, modifiedAt: 0 });

  it('is the revision stored last for the config, and follows undo and deletion', async () => {
    const store = await Store.openMemory();
    expect(store.latestRevision('acme', 'c1')).toBeUndefined();
    await store.mutate(() => {
      store.putConfig(config('c1'));
      store.putRevision(revision('r1', 1));
      store.putRevision(revision('r2', 2));
      store.putRevision(revision('other', 7, 'c2'));
    });
    expect(store.latestRevision('acme', 'c1')?.id).toBe('r2');
    expect(store.latestRevision('globex', 'c1')).toBeUndefined();

    // A change that throws is undone, and so is its revision.
    await expect(
      store.mutate(() => {
        store.putRevision(revision('r3', 3));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(store.latestRevision('acme', 'c1')?.id).toBe('r2');

    // Rewriting a revision keeps its place; deleting the config removes them all.
    await store.mutate(() => store.putRevision({ ...revision('r1', 1), note: 'edited' }));
    expect(store.latestRevision('acme', 'c1')?.id).toBe('r2');
    await store.mutate(() => store.deleteConfig('c1'));
    expect(store.latestRevision('acme', 'c1')).toBeUndefined();
    expect(store.latestRevision('acme', 'c2')?.id).toBe('other');
  });
});

describe('Store.listBindings by agent', () => {
  const binding = (id: string, tenant: string, participantId: string, agentId: string): BindingRecord => ({
    id, tenant, tenantId: 't', participantId, agentId, roles: [], consultAllowed: false, maxUrgency: 'NORMAL', defaultForRoles: [], createdAt: 0, modifiedAt: 0,
  });

  it("lists one tenant's bindings of an agent in the order made, and follows removals", async () => {
    const store = await Store.openMemory();
    await store.mutate(() => {
      store.putBinding(binding('b1', 'acme', 'p1', 'support_bot'));
      store.putBinding(binding('b2', 'acme', 'p2', 'triage_agent'));
      store.putBinding(binding('b3', 'globex', 'p3', 'support_bot'));
      store.putBinding(binding('b4', 'acme', 'p3', 'support_bot'));
    });
    const ids = (filter: { participantId?: string; agentId?: string }, tenant = 'acme') => store.listBindings(tenant, filter).map((b) => b.id);
    expect(ids({ agentId: 'support_bot' })).toEqual(['b1', 'b4']);
    expect(ids({ agentId: 'support_bot' }, 'globex')).toEqual(['b3']);
    expect(ids({ agentId: 'support_bot', participantId: 'p3' })).toEqual(['b4']);
    expect(ids({})).toEqual(['b1', 'b2', 'b4']);
    await store.mutate(() => store.deleteBinding('b1'));
    expect(ids({ agentId: 'support_bot' })).toEqual(['b4']);
    await store.mutate(() => store.putBinding(binding('b1', 'acme', 'p1', 'support_bot')));
    expect(ids({ agentId: 'support_bot' })).toEqual(['b4', 'b1']);
  });
});
