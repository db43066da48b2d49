/**
 * `node dist/bench/address-formats.js`: times every shipped `addressFormat` pattern on addresses crafted to make
 * a backtracking engine retry (4,000 characters, the longest an address may be), next to the e-mail pattern
 * as first written, which backtracked quadratically. Prints ms per check.
 */
import { loadFixtures } from '../src/catalog/load.js';
import { DEFAULT_FIXTURES_DIR } from '../src/spec.js';

const LENGTH = 4000;
const QUADRATIC_EMAIL = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

/** Runs of each character the patterns treat specially, ending in one that makes the match fail at the end. */
function craftedInputs(): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const run of ['.', 'a.', '0', '-0', '+1', 'C', 'a', '@', ' ']) {
    for (const end of ['@', ' ', '!', '.']) {
      const text = `a@${run.repeat(LENGTH)}`.slice(0, LENGTH - 1) + end;
      inputs[`a@(${run})*${end}`] = text;
      inputs[`(${run})*${end}`] = run.repeat(LENGTH).slice(0, LENGTH - 1) + end;
    }
  }
  return inputs;
}

function slowest(pattern: string): { ms: number; input: string } {
  const regex = new RegExp(pattern);
  let worst = { ms: 0, input: '' };
  for (const [name, input] of Object.entries(craftedInputs())) {
    const started = performance.now();
    for (let i = 0; i < 5; i++) regex.test(input);
    const ms = (performance.now() - started) / 5;
    if (ms > worst.ms) worst = { ms, input: name };
  }
  return worst;
}

const rows: [string, string][] = loadFixtures(DEFAULT_FIXTURES_DIR).integrations.flatMap((i) =>
  i.addressFormat ? [[i.id, i.addressFormat.pattern] as [string, string]] : [],
);
rows.push(['email (as first written)', QUADRATIC_EMAIL]);
process.stdout.write(`| integration | pattern | slowest crafted input | ms per check |\n| --- | --- | --- | ---: |\n`);
for (const [id, pattern] of rows) {
  const { ms, input } = slowest(pattern);
  process.stdout.write(`| ${id} | \`${pattern}\` | \`${input}\` | ${ms.toFixed(3)} |\n`);
}
