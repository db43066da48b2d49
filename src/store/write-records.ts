import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { prettyJson } from './pretty-json.js';

/** Records serialized between two writes (and two turns of the event loop). */
const RECORDS_PER_CHUNK = 500;

/** Indentation of a record inside its collection inside the top-level object. */
const RECORD_INDENT = '    ';

/**
 * Writes `data` to `file` byte for byte as lowdb's JSONFile writer does (`JSON.stringify(data, null, 2)`,
 * through a temp file renamed over the target), but one slice of records at a time: the event loop keeps
 * serving between slices and the file's text never exists whole in memory. A member of `data` that is a
 * `Map` is a collection held as compact JSON text by key (as the store holds it), written as the object it
 * stands for. Records are read when their slice is written, so a state that changes meanwhile is written as
 * a mix of before and after; the journal written since the write began replays to the exact state over
 * either. The temp file is fsync'd before the rename.
 */
export async function writeJsonByRecords(file: string, data: Record<string, unknown>): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.tmp`);
  const handle = await open(temp, 'w');
  try {
    let text = '{';
    let members = 0;
    for (const name of Object.keys(data)) {
      const value = data[name];
      if (!isCollection(value)) {
        const json = JSON.stringify(value, null, 2);
        if (json === undefined) continue;
        text += `${members++ === 0 ? '' : ','}\n  ${JSON.stringify(name)}: ${indent(json, '  ')}`;
        continue;
      }
      text += `${members++ === 0 ? '' : ','}\n  ${JSON.stringify(name)}: {`;
      let records = 0;
      for (const [key, json] of prettyRecords(value)) {
        text += `${records++ === 0 ? '' : ','}\n${RECORD_INDENT}${JSON.stringify(key)}: ${json}`;
        if (records % RECORDS_PER_CHUNK === 0) {
          await handle.write(text);
          text = '';
        }
      }
      text += records === 0 ? '}' : '\n  }';
    }
    text += members === 0 ? '}' : '\n}';
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

type Collection = Map<string, string> | Record<string, unknown>;

function isCollection(value: unknown): value is Collection {
  if (value instanceof Map) return true;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Each record of a collection, pretty-printed at record depth, in the order JSON.stringify would write the
 * object. A generator, so a record is read only when its slice is written; one removed by then is skipped.
 */
function* prettyRecords(collection: Collection): Generator<[key: string, json: string]> {
  if (collection instanceof Map) {
    for (const key of keysInObjectOrder(collection.keys())) {
      const text = collection.get(key);
      if (text !== undefined) yield [key, prettyJson(text, RECORD_INDENT)];
    }
    return;
  }
  for (const key of Object.keys(collection)) {
    if (!Object.hasOwn(collection, key)) continue;
    const json = JSON.stringify(collection[key], null, 2);
    if (json !== undefined) yield [key, indent(json, RECORD_INDENT)];
  }
}

/**
 * A Map keeps insertion order, an object lists array-index keys ('0', '7', ...) first, ascending. Ids are
 * never such keys unless an imported state makes them so, but the file must still match lowdb's byte for byte.
 */
function keysInObjectOrder(keys: Iterable<string>): string[] {
  const indices: string[] = [];
  const names: string[] = [];
  for (const key of keys) (isArrayIndex(key) ? indices : names).push(key);
  if (indices.length === 0) return names;
  return [...indices.sort((a, b) => Number(a) - Number(b)), ...names];
}

const MAX_ARRAY_INDEX = 2 ** 32 - 2;
const isArrayIndex = (key: string) => /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) <= MAX_ARRAY_INDEX;

function indent(json: string, prefix: string): string {
  return json.includes('\n') ? json.replaceAll('\n', `\n${prefix}`) : json;
}
