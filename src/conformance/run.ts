import { randomBytes } from 'node:crypto';
import { RULES, type Rule } from '../rules.js';
import { loadSpec } from '../spec.js';
import { CHECKS, type Check } from './checks.js';
import { CheckContext, CheckFailure, CheckSkipped, CleanupList, type Exchange, type Target } from './context.js';
import { Contract } from './contract.js';

export type Outcome = 'pass' | 'fail' | 'skipped';

export type CheckResult = {
  rule: string;
  source: Rule['source'];
  summary: string;
  /** What the docs say (or, for inferred and mock rules, why the rule is there). */
  basis: string;
  outcome: Outcome;
  /** Why it failed or was skipped. */
  reason?: string;
  /** The requests it sent, with what came back. */
  exchanges: Exchange[];
  durationMs: number;
};

export type ConformanceReport = {
  baseUrl: string;
  tenant: string;
  results: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Records the run created and could not delete. */
  leftBehind: string[];
};

export type ConformanceOptions = {
  target: Target;
  /** Also the rules whose source is `mock`. */
  all?: boolean;
  /** Only the checks that create nothing. */
  readOnly?: boolean;
  /** Only these rule ids. */
  rules?: string[];
  /** The records to delete after the run; pass one to delete them from a signal handler too. */
  cleanup?: CleanupList;
  /** Called after each check, for live output. */
  onResult?: (result: CheckResult) => void;
  checks?: readonly Check[];
};

/** Runs one check per selected ledger rule against `target`, then deletes every record the checks made. */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const checks = new Map((options.checks ?? CHECKS).map((c) => [c.rule, c]));
  const contract = new Contract(loadSpec());
  const cleanup = options.cleanup ?? new CleanupList();
  const runId = randomBytes(3).toString('hex');
  const selected = RULES.filter(
    (rule) => (options.all || rule.source !== 'mock') && (!options.rules || options.rules.includes(rule.id)),
  );
  const results: CheckResult[] = [];
  let leftBehind: string[] = [];
  try {
    for (const rule of selected) {
      const result = await runOne(rule, checks.get(rule.id), options, contract, runId, cleanup);
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    leftBehind = await cleanup.run(options.target);
  }
  return {
    baseUrl: options.target.baseUrl,
    tenant: options.target.tenant,
    results,
    passed: results.filter((r) => r.outcome === 'pass').length,
    failed: results.filter((r) => r.outcome === 'fail').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    leftBehind,
  };
}

async function runOne(
  rule: Rule,
  check: Check | undefined,
  options: ConformanceOptions,
  contract: Contract,
  runId: string,
  cleanup: CleanupList,
): Promise<CheckResult> {
  const basis = rule.source === 'docs' ? (rule.quote ?? rule.summary) : (rule.reason ?? rule.quote ?? rule.summary);
  const base = { rule: rule.id, source: rule.source, summary: rule.summary, basis };
  if (!check) return { ...base, outcome: 'skipped', reason: 'no check is written for this rule yet', exchanges: [], durationMs: 0 };
  if (options.readOnly && check.writes) return { ...base, outcome: 'skipped', reason: 'writes records (--read-only)', exchanges: [], durationMs: 0 };
  const context = new CheckContext(options.target, contract, runId, cleanup);
  const started = performance.now();
  let outcome: Outcome = 'pass';
  let reason: string | undefined;
  try {
    await check.run(context);
    const broken = context.exchanges.find((e) => e.contractErrors.length > 0);
    if (broken) {
      outcome = 'fail';
      reason = `${broken.method} ${broken.path} answered ${broken.status} outside the contract: ${broken.contractErrors.join('; ')}`;
    }
  } catch (error) {
    outcome = error instanceof CheckSkipped ? 'skipped' : 'fail';
    reason = error instanceof CheckFailure || error instanceof CheckSkipped ? error.message : `the check could not run: ${String(error)}`;
  }
  return { ...base, outcome, ...(reason ? { reason } : {}), exchanges: context.exchanges, durationMs: Math.round(performance.now() - started) };
}
