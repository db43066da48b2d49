import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RecordTable } from './record-table.js';

/**
 * About how much text one slice of records makes. Below V8's large-object size (128 KB), a slice's string is
 * born in the young generation and dies there; 350 KB slices went straight to the old generation, where a
 * fold's worth of them hastened full collections (participant creates: p99 ~14 ms with them, ~11 without).
 */
const SLICE_BYTES = 64 * 1024;
const FIRST_SLICE_RECORDS = 50;

/**
 * Writes `data` to `file` byte for byte as lowdb's JSONFile writer does (`JSON.stringify(data, null, 2)`,
 * through a temp file renamed over the target), but one slice of records at a time: the event loop keeps
 * serving between slices and the file's text never exists whole in memory. Records are read when their slice
 * is written, so a state that changes meanwhile is written as a mix of before and after; the journal written
 * since the write began replays to the exact state over either. The temp file is fsync'd before the rename.
 * A RecordTable member is written as the object of its records would be.
 */
export async function writeJsonByRecords(file: string, data: Record<string, unknown>): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.tmp`);
  const handle = await open(temp, 'w');
  try {
    let text = '{';
    let members = 0;
    for (const name of Object.keys(data)) {
      const value = data[name];
      if (!(value instanceof RecordTable) && !isPlainObject(value)) {
        const json = JSON.stringify(value, null, 2);
        if (json === undefined) continue;
        text += `${members++ === 0 ? '' : ','}\n  ${JSON.stringify(name)}: ${indent(json, '  ')}`;
        continue;
      }
      text += `${members++ === 0 ? '' : ','}\n  ${JSON.stringify(name)}: {`;
      const keys = value instanceof RecordTable ? Array.from(value.keys()) : Object.keys(value);
      let written = false;
      let count = FIRST_SLICE_RECORDS;
      for (let start = 0; start < keys.length; ) {
        const end = Math.min(start + count, keys.length);
        const records = recordsSlice(value, keys.slice(start, end));
        if (records !== '') {
          text += `${written ? ',' : ''}${records}`;
          written = true;
          // The next slice is sized from this one, so that its text stays near SLICE_BYTES.
          count = Math.max(1, Math.floor((SLICE_BYTES * (end - start)) / records.length));
        }
        // A whole slice goes out before the next is read; the last one waits for the rest of the file.
        if (end < keys.length) {
          await handle.write(text);
          text = '';
        }
        start = end;
      }
      text += written ? '\n  }' : '}';
    }
    text += members === 0 ? '}' : '\n}';
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** Where a collection's members begin and end in `JSON.stringify({ c: members }, null, 2)`. */
const CHUNK_OPEN = '{\n  "c": {';
const CHUNK_CLOSE = '\n  }\n}';

/**
 * The members `keys` of a collection as they appear inside it in the file (`\n    "key": {...}` joined by
 * commas), or '' when none is left to write. One JSON.stringify does the slice, at the depth a collection's
 * members have in the file: cheaper than a call per record and re-indenting each.
 */
function recordsSlice(collection: Record<string, unknown> | RecordTable, keys: string[]): string {
  // A null prototype makes `__proto__` an ordinary key, as it is in a parsed file.
  const members: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    // A key missing now was removed while this write was under way.
    if (collection instanceof RecordTable) {
      if (collection.has(key)) members[key] = collection.copy(key);
    } else if (Object.hasOwn(collection, key)) {
      members[key] = collection[key];
    }
  }
  const json = JSON.stringify({ c: members }, null, 2);
  return json.endsWith(CHUNK_CLOSE) ? json.slice(CHUNK_OPEN.length, -CHUNK_CLOSE.length) : '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function indent(json: string, prefix: string): string {
  return json.includes('\n') ? json.replaceAll('\n', `\n${prefix}`) : json;
}
