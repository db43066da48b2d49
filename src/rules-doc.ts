import type { Rule, RuleSource } from './rules.js';

/** Where the generated behaviour tables live, relative to the package root. */
export const RULES_DOC_FILE = 'docs/rules.md';

const SOURCES: readonly RuleSource[] = ['docs', 'inferred', 'mock'];

/**
 * The behaviour tables of docs/rules.md, generated from the ledger: one table per resource, a row per rule
 * with its source and what it rests on. `npm run docs:rules` writes it; test/fidelity-ledger.test.ts fails
 * when the file is not what this returns.
 */
export function renderRulesDoc(rules: readonly Rule[]): string {
  const counts = SOURCES.map((s) => `${rules.filter((r) => r.source === s).length} ${s}`).join(', ');
  const resources = [...new Set(rules.map((r) => r.resource))];
  const lines = [
    '# Behaviours of fruxon-mock',
    '',
    '<!-- Generated from the rule ledger (src/resources/*/rules.ts) by `npm run docs:rules`. Do not edit. -->',
    '',
    `${rules.length} rules: ${counts}. \`docs\`: the Fruxon docs state it (the quote and its page);`,
    '`inferred`: the docs imply it (the reason says from what); `mock`: a decision of this project (the reason',
    'says why) — a client must not count on a `mock` rule against the real API. The same ledger is served at',
    '`GET /__mock/rules`; tests are titled by rule id. See docs/fidelity.md for what a client team should know.',
  ];
  for (const resource of resources) {
    lines.push('', `## ${resource}`, '', '| Rule | Source | Behaviour | Rests on |', '| --- | --- | --- | --- |');
    for (const rule of rules.filter((r) => r.resource === resource)) {
      lines.push(`| \`${rule.id}\` | ${rule.source} | ${cell(rule.summary)} | ${cell(restsOn(rule))} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function restsOn(rule: Rule): string {
  if (rule.source !== 'docs') return rule.reason ?? '';
  const quote = `“${rule.quote ?? ''}”`;
  return rule.page ? `${quote} ([page](${rule.page}))` : quote;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
