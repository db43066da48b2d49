import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextRing } from '../src/control/text-ring.js';

describe('TextRing', () => {
  it('behaves as a queue of its entries through pushes, shifts and clears, whatever their sizes', () => {
    // Long texts of three-byte characters fill exactly what is reserved for them, so an overwrite shows.
    const long = fc.integer({ min: 1_000, max: 12_000 }).map((n) => '☃'.repeat(n));
    const text = fc.option(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), long), { nil: undefined });
    const step = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(text, text).map(([a, b]) => ({ kind: 'push' as const, texts: [a, b] })) },
      { weight: 4, arbitrary: fc.constant({ kind: 'shift' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const ring = new TextRing(2, 4);
        const model: (string | undefined)[][] = [];
        for (const s of steps) {
          if (s.kind === 'push') {
            ring.push(s.texts);
            model.push(s.texts);
          } else if (s.kind === 'shift') {
            ring.shift();
            model.shift();
          } else {
            ring.clear();
            model.length = 0;
          }
          expect(ring.size).toBe(model.length);
        }
        // Texts come back as UTF-8 round-trips them (lone surrogates become U+FFFD).
        const utf8 = (t: string | undefined) => (t === undefined ? undefined : Buffer.from(t, 'utf8').toString('utf8'));
        expect(model.map((_, i) => ring.at(i))).toEqual(model.map((texts) => texts.map(utf8)));
      }),
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('wraps to the start only past the oldest entry, and grows rather than overwrite or cut one', () => {
    // Three-byte characters use all the room reserved for them; the buffer starts at 65,536 bytes.
    const snow = (n: number) => '☃'.repeat(n);
    const ring = new TextRing(1);
    for (const n of [5_000, 5_000, 5_000, 6_000]) ring.push([snow(n)]); // 0, 15,000, 30,000, 45,000-63,000
    ring.shift();
    ring.push([snow(5_000)]); // no room after 63,000; the oldest starts at 15,000, so it goes at 0
    ring.shift();
    ring.push([snow(6_000)]); // 15,000 free between the newest and the oldest (30,000): it must grow
    expect(ring.bytes).toBeGreaterThan(65_536);
    expect([0, 1, 2, 3].map((i) => ring.at(i)[0]!.length)).toEqual([5_000, 6_000, 5_000, 6_000]);

    const tight = new TextRing(1);
    for (const n of [5_000, 5_000, 5_000]) tight.push([snow(n)]); // up to 45,000
    tight.push([snow(7_000)]); // 21,000 bytes with 20,536 left at the end: it grows, it is not cut
    expect(tight.at(3)[0]).toBe(snow(7_000));
  });

  it('reuses its buffer in a circle: a steady stream of entries stops growing it', () => {
    const ring = new TextRing(1);
    const sizes: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      ring.push([`entry ${i} `.padEnd(100 + (i % 900), 'x')]);
      if (ring.size > 1_000) ring.shift();
      if (i % 1_000 === 999) sizes.push(ring.bytes);
    }
    expect(new Set(sizes.slice(5)).size).toBe(1);
    // The live entries are ~550 KB; the buffer stays within a small multiple of that.
    expect(ring.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(ring.at(0)[0]).toMatch(/^entry 19000 /);
    expect(ring.at(999)[0]).toMatch(/^entry 19999 /);
  });

  it('gives its growth back when cleared, and refuses an entry it does not have', () => {
    const ring = new TextRing(1);
    for (let i = 0; i < 100; i++) ring.push(['y'.repeat(10_000)]);
    expect(ring.bytes).toBeGreaterThan(1_000_000);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.bytes).toBe(64 * 1024);
    expect(() => ring.at(0)).toThrow(RangeError);
  });
});
