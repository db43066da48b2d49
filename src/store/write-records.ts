import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Records serialized between two writes (and two turns of the event loop). */
const RECORDS_PER_CHUNK = 500;

/**
 * Writes `data` to `file` byte for byte as lowdb's JSONFile writer does (`JSON.stringify(data, null, 2)`,
 * through a temp file renamed over the target), but one slice of records at a time: the event loop keeps
 * serving between slices and the file's text never exists whole in memory. Records are read when their slice
 * is written, so a state that changes meanwhile is written as a mix of before and after; the journal written
 * since the write began replays to the exact state over either. The temp file is fsync'd before the rename.
 */
export async function writeJsonByRecords(file: string, data: Record<string, unknown>): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.tmp`);
  const handle = await open(temp, 'w');
  try {
    let text = '{';
    let members = 0;
    for (const name of Object.keys(data)) {
      const value = data[name];
      if (!isPlainObject(value)) {
        const json = JSON.stringify(value, null, 2);
        if (json === undefined) continue;
        text += `${members++ === 0 ? '' : ','}\n  ${JSON.stringify(name)}: ${indent(json, '  ')}`;
        continue;
      }
      text += `${members++ === 0 ? '' : ','}\n  ${JSON.stringify(name)}: {`;
      let records = 0;
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(value, key)) continue; // removed while this write was under way
        const json = JSON.stringify(value[key], null, 2);
        if (json === undefined) continue;
        text += `${records++ === 0 ? '' : ','}\n    ${JSON.stringify(key)}: ${indent(json, '    ')}`;
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function indent(json: string, prefix: string): string {
  return json.includes('\n') ? json.replaceAll('\n', `\n${prefix}`) : json;
}
