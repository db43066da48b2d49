import autocannon, { type Request } from 'autocannon';
import { startBackgroundMeter, waitForQuiet } from './machine.js';
import { HEADERS } from './workloads.js';

export type LoadSettings = {
  connections: number;
  /** Seconds of load that are measured. */
  durationSec: number;
  /** Seconds of the same load first, not measured (JIT, caches, connection set-up). */
  warmupSec: number;
  /** Measured rounds; the one with the most requests per second is reported (the least disturbed by others). */
  rounds: number;
  /** How long to wait for other processes to quieten down before each round. */
  quietWaitMs: number;
  /**
   * When set, the warm-up and each round send this many requests instead of lasting a set time: a run that
   * writes then adds the same number of records whatever the server's speed.
   */
  requestsPerRound?: number;
};

export type Measurement = {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
  /** 2xx answers, warm-up included: writes a client saw acknowledged. */
  acknowledged: number;
  /** Share of the machine's CPU that other processes used during the reported round. */
  background: number;
};

/** Drives `origin` with autocannon: a warm-up, then the measured rounds; reports the fastest round. */
export async function measure(origin: string, requests: Request[], settings: LoadSettings, serverPid: number): Promise<Measurement> {
  const warmup = settings.warmupSec > 0 ? (await run(origin, requests, settings, settings.warmupSec)).result : undefined;
  let acknowledged = warmup?.['2xx'] ?? 0;
  let errors = warmup ? warmup.non2xx + warmup.errors + warmup.timeouts : 0;
  let best: Measurement | undefined;
  for (let round = 0; round < settings.rounds; round++) {
    await waitForQuiet(settings.quietWaitMs);
    const background = startBackgroundMeter(serverPid);
    const { result, seconds } = await run(origin, requests, settings, settings.durationSec);
    acknowledged += result['2xx'];
    errors += result.non2xx + result.errors + result.timeouts;
    const measurement = {
      rps: result.requests.total / seconds,
      requests: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      errors: 0,
      acknowledged: 0,
      background: background(),
    };
    if (!best || measurement.rps > best.rps) best = measurement;
  }
  return { ...best!, errors, acknowledged };
}

/**
 * One autocannon run, and how long it lasted: its set duration, or for a counted run the time from its start to
 * its last response (autocannon itself only stops a counted run at its next whole-second tick).
 */
function run(origin: string, requests: Request[], settings: LoadSettings, duration: number): Promise<{ result: autocannon.Result; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let lastResponse = started;
    const instance = autocannon(
      {
        url: origin,
        connections: settings.connections,
        ...(settings.requestsPerRound === undefined ? { duration } : { amount: settings.requestsPerRound }),
        headers: HEADERS,
        requests,
        timeout: 30,
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ result, seconds: settings.requestsPerRound === undefined ? duration : (lastResponse - started) / 1000 });
      },
    );
    instance.on('response', () => (lastResponse = performance.now()));
  });
}
