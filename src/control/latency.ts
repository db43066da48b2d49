import { MAX_DELAY_MS, invalidRule } from './rule-input.js';

/** A delay and a jitter range, in ms: each request waits `delay` plus 0 to `jitter` more. */
export type Delay = { delay: number; jitter?: number };

/** How slow the API answers: globally, and per operation id (which then replaces the global setting). */
export type LatencySettings = Delay & { operations?: Record<string, Delay> };

type Normalized = { delay: number; jitter: number; operations: Record<string, { delay: number; jitter: number }> };

/**
 * The latency every API request gets, before any fault rule's delay. The jitter comes from a generator of
 * its own seeded with the mock's seed, so the n-th request after a start or a reset always waits as long,
 * and adding latency never changes the ids or faked fields the API hands out.
 */
export class Latency {
  private settings: Normalized;
  private initial: Normalized;
  private state: number;

  constructor(
    private readonly seed: number,
    initial: LatencySettings = { delay: 0 },
    private readonly isOperation: (operationId: string) => boolean = () => true,
  ) {
    this.initial = this.settings = this.normalize(initial);
    this.state = seed;
  }

  /** The settings now, as `set` takes them. */
  get(): Normalized {
    return structuredClone(this.settings);
  }

  /** Replaces the settings, or throws an `unprocessable` problem saying what is wrong with them. */
  set(settings: LatencySettings): Normalized {
    this.settings = this.normalize(settings);
    return this.get();
  }

  /** Back to the settings the mock started with, and the jitter sequence from its start. */
  reset(): void {
    this.settings = this.initial;
    this.state = this.seed;
  }

  /** How long the next request to `operationId` waits, in ms. */
  next(operationId: string): number {
    const { delay, jitter } = this.settings.operations[operationId] ?? this.settings;
    if (jitter === 0) return delay;
    return delay + Math.floor(this.random() * (jitter + 1));
  }

  /** mulberry32: small, fast and enough to spread delays; never used for anything a response holds. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private normalize(settings: LatencySettings): Normalized {
    if (typeof settings !== 'object' || settings === null) throw invalidRule('Latency settings must be an object: {delay, jitter, operations}.');
    const known = new Set(['delay', 'jitter', 'operations']);
    const unknown = Object.keys(settings).find((name) => !known.has(name));
    if (unknown) throw invalidRule(`'${unknown}' is not a latency setting (they are: delay, jitter, operations).`);
    const operations: Normalized['operations'] = {};
    for (const [operationId, delay] of Object.entries(settings.operations ?? {})) {
      if (!this.isOperation(operationId)) throw invalidRule(`The spec has no operation '${operationId}'.`);
      operations[operationId] = checkDelay(delay, `operations.${operationId}`);
    }
    return { ...checkDelay(settings, ''), operations };
  }
}

function checkDelay(value: Delay, where: string): { delay: number; jitter: number } {
  const prefix = where ? `${where}.` : '';
  const delay = value?.delay ?? 0;
  const jitter = value?.jitter ?? 0;
  for (const [name, ms] of [['delay', delay], ['jitter', jitter]] as const) {
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_DELAY_MS) {
      throw invalidRule(`${prefix}${name} must be a whole number of ms from 0 to ${MAX_DELAY_MS}, got ${JSON.stringify(ms)}.`);
    }
  }
  if (delay + jitter > MAX_DELAY_MS) throw invalidRule(`${prefix}delay plus jitter must be at most ${MAX_DELAY_MS} ms.`);
  return { delay, jitter };
}

/**
 * The timers of delayed requests, so closing the server can end them at once instead of holding the
 * process open for up to a minute.
 */
export class Waits {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  /** Resolves after `ms`, or as soon as `releaseAll` is called. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  releaseAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}
