import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, StoreFileError } from '../src/store/store.js';
import { configsPath, makeHarness } from './helpers.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fruxon-mock-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('persistence on a lowdb file', () => {
  it('keeps configs and revisions across a restart, and never reuses an id', async () => {
    const file = tempFile();
    const first = await makeHarness({ store: await Store.openFile(file) });
    const created = (await first.api.post(configsPath(), { displayName: 'Kept', sandboxMode: 'VENDOR' })).body;
    const path = `${configsPath()}/${created.id}`;
    const revision = (await first.api.post(`${path}:publish`, { note: 'v1' })).body;

    await first.store.flush();
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(onDisk.configs)).toEqual([created.id]);

    await first.store.close();
    const second = await makeHarness({ store: await Store.openFile(file) });
    expect((await second.api.get(path)).body).toEqual({ ...created, publishedRevisionId: revision.id });
    expect((await second.api.get(`${path}/revisions/${revision.id}`)).body).toEqual(revision);
    const next = (await second.api.post(configsPath(), { displayName: 'New' })).body;
    expect([created.id, revision.id]).not.toContain(next.id);
  });

  it('refuses a corrupt store file with a message naming it, and leaves it as it was', async () => {
    const file = tempFile();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{"meta": {"schemaVersion": 1, "sequence": 3}, "configs": ');
    await expect(Store.openFile(file)).rejects.toThrow(StoreFileError);
    await expect(Store.openFile(file)).rejects.toThrow(file);
    expect(readFileSync(file, 'utf8')).toBe('{"meta": {"schemaVersion": 1, "sequence": 3}, "configs": ');
    writeFileSync(file, '[]');
    await expect(Store.openFile(file)).rejects.toThrow(/top level/);
  });
});
