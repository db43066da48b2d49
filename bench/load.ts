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

/**
 * One server's load, taken a step at a time so that several servers' rounds can alternate: a warm-up, then
 * measured rounds; `measurement()` reports the fastest round, with errors and acknowledged writes counted
 * over all of them, warm-up included.
 */
export class Load {
  private acknowledged = 0;
  private errors = 0;
  private best: Measurement | undefined;

  constructor(
    private readonly origin: string,
    private readonly requests: Request[],
    private readonly settings: LoadSettings,
    private readonly serverPid: number,
  ) {}

  async warmUp(): Promise<void> {
    if (this.settings.warmupSec <= 0) return;
    this.count((await run(this.origin, this.requests, this.settings, this.settings.warmupSec)).result);
  }

  async round(): Promise<void> {
    await waitForQuiet(this.settings.quietWaitMs);
    const background = startBackgroundMeter(this.serverPid);
    const { result, seconds } = await run(this.origin, this.requests, this.settings, this.settings.durationSec);
    this.count(result);
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
    if (!this.best || measurement.rps > this.best.rps) this.best = measurement;
  }

  measurement(): Measurement {
    if (!this.best) throw new Error('no measured round');
    return { ...this.best, errors: this.errors, acknowledged: this.acknowledged };
  }

  private count(result: autocannon.Result): void {
    this.acknowledged += result['2xx'];
    this.errors += result.non2xx + result.errors + result.timeouts;
  }
}

/** Drives `origin` with autocannon: a warm-up, then the measured rounds; reports the fastest round. */
export async function measure(origin: string, requests: Request[], settings: LoadSettings, serverPid: number): Promise<Measurement> {
  const load = new Load(origin, requests, settings, serverPid);
  await load.warmUp();
  for (let round = 0; round < settings.rounds; round++) await load.round();
  return load.measurement();
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
