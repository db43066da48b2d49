import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';

/** V8 is never told to grow the old generation by less than this share of what is live, nor by more than this. */
const MIN_PERCENT = 25;
const MAX_PERCENT = 300;

/** The `--heap-growing-percent` that lets an old generation with `liveBytes` live grow by about `headroomBytes`. */
export function growingPercentFor(liveBytes: number, headroomBytes: number): number {
  const percent = Math.round((headroomBytes / Math.max(liveBytes, 1)) * 100);
  return Math.min(MAX_PERCENT, Math.max(MIN_PERCENT, percent));
}

/**
 * Has V8 let the old generation grow by about `headroomMb` past what is live before its next full collection,
 * instead of by a multiple of it (up to 4x by default). Under load a server promotes a steady stream of short-lived
 * request objects, so with the default the old generation, and the process's RSS, grow with the data held:
 * ~300 MB for creates at 100k stored records. With a fixed headroom the peak stays close to what is live, and full
 * collections come as often (every `headroomMb` of promoted garbage) whatever the store holds.
 *
 * Works by resetting V8's `--heap-growing-percent` after each full collection, which V8 reads when it sets the next
 * limit. Only the CLI does this: an in-process mock leaves its host's heap alone. Returns a function that stops it.
 */
export function holdHeapHeadroom(headroomMb: number): () => void {
  const headroom = headroomMb * 1024 * 1024;
  let current: number | undefined;
  const adjust = () => {
    const old = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space');
    const percent = growingPercentFor(old?.space_used_size ?? 0, headroom);
    if (percent === current) return;
    current = percent;
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  };
  adjust();
  const observer = new PerformanceObserver((list) => {
    const entries = list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[];
    if (entries.some((entry) => entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) adjust();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
