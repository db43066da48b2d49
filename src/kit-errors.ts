import { ProblemError, type ProblemBody } from './http/problems.js';

/**
 * Thrown when the control plane refuses a call: over HTTP by `mockClient`, and in-process by `startMock`'s
 * methods for the same call, with the same `status`, `problem` (its problem+json body) and message.
 */
export class MockControlError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
    message?: string,
  ) {
    const detail = (problem as { detail?: unknown } | null)?.detail;
    super(message ?? `fruxon-mock control plane answered ${status}${typeof detail === 'string' ? `: ${detail}` : ''}`);
    this.name = new.target.name;
  }
}

/** Thrown by `verify` when the journal does not hold the requests asked for; the message lists what it holds. */
export class MockVerificationError extends MockControlError {
  /** How many recorded requests matched. */
  readonly matched: number;

  constructor(status: number, problem: { detail: string; matched?: number }) {
    super(status, problem, problem.detail);
    this.matched = problem.matched ?? 0;
  }
}

/** The error a control-plane call gets for a refused request, whether it came over HTTP or not. */
export function kitErrorOf(status: number, body: unknown, path: string): MockControlError {
  const problem = { ...(body as object), ...(typeof body === 'object' && body !== null && !('instance' in body) ? { instance: `/__mock${path}` } : {}) } as Partial<ProblemBody>;
  if (problem.code === 'VERIFICATION_FAILED' && typeof problem.detail === 'string') {
    return new MockVerificationError(status, problem as { detail: string; matched?: number });
  }
  return new MockControlError(status, problem);
}

/** Runs an in-process control call, turning the problem it throws into the error `mockClient` would throw. */
export function asKitCall<T>(path: string, call: () => T): T {
  try {
    const result = call();
    if (result instanceof Promise) return result.catch((error: unknown) => rethrow(error, path)) as T;
    return result;
  } catch (error) {
    return rethrow(error, path);
  }
}

function rethrow(error: unknown, path: string): never {
  if (error instanceof ProblemError) throw kitErrorOf(error.status, error.body, path);
  throw error;
}
