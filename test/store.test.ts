import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../src/store/store.js';

describe('Store.openFile', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('opens a file written before participants existed, with empty participants and bindings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fruxon-mock-'));
    dirs.push(dir);
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ meta: { schemaVersion: 1, sequence: 3 }, configs: {}, revisions: {}, oauthKeys: {} }));
    const store = await Store.openFile(file);
    expect(store.counts()).toEqual({ configs: 0, revisions: 0, oauthKeys: 0, participants: 0, bindings: 0 });
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
