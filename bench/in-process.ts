/**
 * The programmatic API's costs, in a process of its own: `node dist/bench/in-process.js` prints one JSON line
 * with the time of `startMock()` right after the import (the first, then the median of later ones) and of
 * `reset()` with 1,000 stored configs (median of several).
 */
const importStarted = performance.now();
const { startMock } = await import('../src/index.js');
const importMs = performance.now() - importStarted;

const RECORDS = 1000;
const ROUNDS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

const [firstStartMs, first] = await timed(() => startMock());
await first.close();
const laterStarts: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const [ms, mock] = await timed(() => startMock());
  laterStarts.push(ms);
  await mock.close();
}

const mock = await startMock();
const headers = { Authorization: 'Bearer bench', 'Content-Type': 'application/json' };
const resets: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < RECORDS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        fetch(`${mock.url}/v1/tenants/bench/integrations/slack/configs`, { method: 'POST', headers, body: JSON.stringify({ displayName: `c${i + j}` }) }).then((r) => r.arrayBuffer()),
      ),
    );
  }
  const [ms] = await timed(() => mock.reset());
  resets.push(ms);
}
await mock.close();

process.stdout.write(`${JSON.stringify({ importMs, firstStartMs, laterStartMs: median(laterStarts), resetMs: median(resets), resetRecords: RECORDS })}\n`);
