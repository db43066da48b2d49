import type { ConformanceReport, CheckResult } from './run.js';

const MARK = { pass: 'pass', fail: 'FAIL', skipped: 'skip' } as const;

/** One line per check, and for a failure the request, what the docs say and what came back. */
export function formatResult(result: CheckResult): string {
  const head = `${MARK[result.outcome]}  ${result.rule} (${result.source})${result.reason && result.outcome === 'skipped' ? `: ${result.reason}` : ''}`;
  if (result.outcome !== 'fail') return head;
  const last = result.exchanges.at(-1);
  return [
    head,
    `      rule:     ${result.summary}`,
    `      basis:    ${result.basis}`,
    `      failed:   ${result.reason ?? ''}`,
    ...(last
      ? [
          `      request:  ${last.method} ${last.path}${last.requestBody === undefined ? '' : ` ${truncate(JSON.stringify(last.requestBody))}`}`,
          `      answered: ${last.status} ${truncate(JSON.stringify(last.body) ?? '')}`,
        ]
      : []),
  ].join('\n');
}

export function formatSummary(report: ConformanceReport): string {
  const lines = [
    `conformance against ${report.baseUrl} (tenant ${report.tenant}): ${report.passed} pass, ${report.failed} fail, ${report.skipped} skipped, of ${report.results.length} rules`,
  ];
  if (report.leftBehind.length > 0) lines.push(`could not delete: ${report.leftBehind.join('; ')}`);
  return lines.join('\n');
}

/** JUnit XML, one test case per rule, for CI dashboards. */
export function formatJunit(report: ConformanceReport): string {
  const cases = report.results.map((r) => {
    const body =
      r.outcome === 'fail'
        ? `<failure message="${xml(r.reason ?? '')}">${xml(formatResult(r))}</failure>`
        : r.outcome === 'skipped'
          ? `<skipped message="${xml(r.reason ?? '')}"/>`
          : '';
    return `    <testcase classname="fruxon-conformance.${xml(r.source)}" name="${xml(r.rule)}" time="${(r.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites><testsuite name="fruxon-conformance" tests="${report.results.length}" failures="${report.failed}" skipped="${report.skipped}">`,
    ...cases,
    '</testsuite></testsuites>',
    '',
  ].join('\n');
}

function truncate(text: string): string {
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
