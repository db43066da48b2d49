import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_USAGE } from '../src/catalog/import-catalog.js';
import { USAGE, parseOptions } from '../src/config.js';
import { CONFORMANCE_USAGE } from '../src/conformance/cli.js';
import { PACKAGE_ROOT } from '../src/spec.js';

const README = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const SCRIPTS = Object.keys((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/** Every line of the README's shell code blocks that runs this project (npm, npx fruxon-mock), continuations joined. */
function commands(): string[] {
  const blocks = [...README.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .flatMap((line) => line.split(/\s*&&\s*/))
    .filter((line) => /^(npm|npx fruxon-mock)\b/.test(line));
}

/** The words of a command, quotes removed (the README's values never hold spaces inside quotes that matter). */
const words = (line: string) => line.split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));

describe('the README', () => {
  it('stays short: at most about 250 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(260);
  });

  it('has commands to check', () => {
    expect(commands().length).toBeGreaterThan(5);
  });

  it.each(commands())('names only scripts and options that exist: %s', (line) => {
    let [tool, first, ...rest] = words(line);
    if (tool === 'npm') {
      if (first === 'ci' || first === 'i' || first === 'install' || first === 'pack') return;
      const script = first === 'run' ? rest[0]! : first!;
      expect(SCRIPTS, `npm script '${script}'`).toContain(script);
      const dashes = rest.indexOf('--');
      if ((script === 'start') && dashes >= 0) expect(() => parseOptions(rest.slice(dashes + 1).filter((w) => !w.startsWith('$')), {})).not.toThrow();
      return;
    }
    // npx fruxon-mock [subcommand] options
    [first, ...rest] = [rest[0]!, ...rest.slice(1)];
    const usage = first === 'conformance' ? CONFORMANCE_USAGE : first === 'import-catalog' ? IMPORT_USAGE : USAGE;
    const args = first === 'conformance' || first === 'import-catalog' ? rest : [first!, ...rest];
    for (const flag of args.filter((w) => w.startsWith('-'))) expect(usage, `${flag} in the usage of '${line}'`).toContain(flag.split('=')[0]!);
    if (usage === USAGE) expect(() => parseOptions(args.filter((w) => !w.startsWith('$')), {})).not.toThrow();
  });

  it('lists in its options table only options the CLI takes, and every option the CLI takes', () => {
    const table = [...README.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]!);
    const usage = [...new Set([...USAGE.matchAll(/(?<![\w-])(--[a-z][a-z-]+)/g)].map((m) => m[1]!))];
    expect(table.filter((flag) => !usage.includes(flag))).toEqual([]);
    expect(usage.filter((flag) => !table.includes(flag))).toEqual([]);
  });
});
