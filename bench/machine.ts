import { readFileSync } from 'node:fs';

/** CPU time of the whole machine, in clock ticks: busy (all but idle and iowait) and total. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU time (user + system) of one process, in clock ticks. */
function processTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Measures how much of the machine's CPU went to processes other than the server under test and this
 * bench while a run lasted: other work on a shared machine slows every figure, so the report shows it.
 */
export function startBackgroundMeter(serverPid: number): () => number {
  const machine = machineTicks();
  const server = processTicks(serverPid);
  const self = processTicks('self');
  return () => {
    const now = machineTicks();
    const ours = processTicks(serverPid) - server + (processTicks('self') - self);
    const total = now.total - machine.total;
    return total > 0 ? Math.max(0, (now.busy - machine.busy - ours) / total) : 0;
  };
}

/** Waits (at most `maxMs`) until other processes use less than `threshold` of the machine's CPU. */
export async function waitForQuiet(maxMs: number, threshold = 0.15): Promise<void> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const before = machineTicks();
    const self = processTicks('self');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const after = machineTicks();
    const total = after.total - before.total;
    const others = after.busy - before.busy - (processTicks('self') - self);
    if (total === 0 || others / total < threshold || Date.now() >= deadline) return;
  }
}
