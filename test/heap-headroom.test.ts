import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_HEADROOM_MB, UsageError, parseOptions } from '../src/config.js';
import { growingPercentFor } from '../src/heap-headroom.js';

const MB = 1024 * 1024;

describe('growingPercentFor', () => {
  it.each([
    [32 * MB, 32 * MB, 100],
    [64 * MB, 32 * MB, 50],
    [20 * MB, 32 * MB, 160],
    // A small heap may grow by at most 300%, a big one by at least 25%.
    [1 * MB, 32 * MB, 300],
    [0, 32 * MB, 300],
    [1024 * MB, 32 * MB, 25],
  ])('lets %d live bytes grow by %d bytes: %d%%', (live, headroom, percent) => {
    expect(growingPercentFor(live, headroom)).toBe(percent);
  });
});

describe('--heap-headroom', () => {
  it('defaults to 32 MB, and 0 leaves V8 its own growth', () => {
    expect(DEFAULT_HEAP_HEADROOM_MB).toBe(32);
    expect(parseOptions([], {})).toMatchObject({ heapHeadroomMb: 32 });
    expect(parseOptions(['--heap-headroom', '0'], {})).toMatchObject({ heapHeadroomMb: 0 });
    expect(parseOptions(['--heap-headroom', '96'], {})).toMatchObject({ heapHeadroomMb: 96 });
  });

  it.each([['--heap-headroom=-1'], ['--heap-headroom=1.5'], ['--heap-headroom=lots']])('rejects %s', (flag) => {
    expect(() => parseOptions([flag], {})).toThrow(UsageError);
    expect(() => parseOptions([flag], {})).toThrow(/--heap-headroom must be a whole number/);
  });
});
