import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordTable } from '../src/store/record-table.js';

const text = (value: unknown) => JSON.stringify(value);
const bytesOf = (texts: Iterable<string>) => [...texts].reduce((sum, t) => sum + 4 + Buffer.byteLength(t), 0);

describe('RecordTable', () => {
  it('gives back what was set, in the order keys were first set, and forgets what was deleted', () => {
    const table = new RecordTable();
    table.set('b', text({ id: 'b', n: 1 }));
    table.set('a', text({ id: 'a', name: 'Zoë 🚀' }));
    table.set('b', text({ id: 'b', n: 2 }));
    expect(table.get('b')).toEqual({ id: 'b', n: 2 });
    expect(table.text('a')).toBe('{"id":"a","name":"Zoë 🚀"}');
    expect([...table.keys()]).toEqual(['b', 'a']);
    expect(table.delete('b')).toBe(true);
    expect(table.delete('b')).toBe(false);
    expect(table.get('b')).toBeUndefined();
    expect(table.has('a')).toBe(true);
    expect(table.size).toBe(1);
  });

  it('hands out frozen records, so a caller cannot change what is stored', () => {
    const table = new RecordTable();
    table.set('a', text({ id: 'a', auth: { parameters: { token: 't' } }, list: [1] }));
    const record = table.get<{ auth: { parameters: { token: string } }; list: number[] }>('a')!;
    expect(() => (record.auth.parameters.token = 'changed')).toThrow(TypeError);
    expect(() => record.list.push(2)).toThrow(TypeError);
    expect(table.copy('a')).toEqual({ id: 'a', auth: { parameters: { token: 't' } }, list: [1] });
  });

  it('reads a record afresh once it was replaced, even right after it was read', () => {
    const table = new RecordTable();
    table.set('a', text({ v: 1 }));
    expect(table.get('a')).toEqual({ v: 1 });
    table.set('a', text({ v: 2 }));
    expect(table.get('a')).toEqual({ v: 2 });
    table.delete('a');
    expect(table.get('a')).toBeUndefined();
  });

  it('gives a record longer than a chunk a chunk of its own', () => {
    const table = new RecordTable();
    const big = text({ blob: 'x'.repeat(3 * 1024 * 1024) });
    table.set('small', text({ v: 1 }));
    table.set('big', big);
    table.set('after', text({ v: 2 }));
    expect(table.text('big')).toBe(big);
    expect(table.get('after')).toEqual({ v: 2 });
    expect(table.usage.chunks).toBe(3);
  });

  it('drops a chunk once nothing in it is live', () => {
    const table = new RecordTable();
    const record = text({ blob: 'y'.repeat(1000) });
    for (let i = 0; i < 3000; i++) table.set(`k${i}`, record); // about 3 MB: three chunks
    expect(table.usage.chunks).toBe(3);
    for (let i = 0; i < 1100; i++) table.delete(`k${i}`); // the whole first chunk (1,033 records), and a little of the second
    expect(table.usage.chunks).toBe(2);
    expect(table.usage.live).toBe(bytesOf(Array.from({ length: 1900 }, () => record)));
    expect(table.get('k1100')).toEqual({ blob: 'y'.repeat(1000) });
  });

  it('repacks once dead bytes outnumber live ones, keeping every record and the key order', () => {
    const table = new RecordTable();
    let mostDead = 0;
    // Every chunk keeps a few small records live while the big one written beside them is replaced over and over.
    for (let round = 0; round < 4000; round++) {
      table.set(`keep${round}`, text({ round }));
      table.set('big', text({ round, pad: 'z'.repeat(5000) }));
      mostDead = Math.max(mostDead, table.usage.dead);
    }
    expect(mostDead).toBeLessThan(8 * 1024 * 1024 + 5100);
    expect(table.usage.chunks).toBeLessThanOrEqual(9);
    expect(table.size).toBe(4001);
    expect([...table.keys()].slice(0, 3)).toEqual(['keep0', 'big', 'keep1']);
    expect(table.get('big')).toEqual({ round: 3999, pad: 'z'.repeat(5000) });
    expect(table.get('keep0')).toEqual({ round: 0 });
    expect(table.get('keep3999')).toEqual({ round: 3999 });
  });

  it('behaves as a map of texts under any sequence of sets and deletes', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', '__proto__', '1', 'ключ');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 2000, maxLength: 300_000 })) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const table = new RecordTable();
        const model = new Map<string, string>();
        for (const step of ops) {
          if (step.kind === 'set') {
            const t = text({ value: step.value });
            table.set(step.key, t);
            model.set(step.key, t);
          } else {
            expect(table.delete(step.key)).toBe(model.delete(step.key));
          }
        }
        expect([...table.keys()]).toEqual([...model.keys()]);
        for (const [k, t] of model) expect(table.text(k)).toBe(t);
        expect(table.usage.live).toBe(bytesOf(model.values()));
      }),
      { seed: 20261123, numRuns: 150 },
    );
  });
});
