import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/rules.js';
import { RULES_DOC_FILE, renderRulesDoc } from '../src/rules-doc.js';
import { HTTP_METHODS, PACKAGE_ROOT, loadControlSpec, loadSpec } from '../src/spec.js';
import { makeHarness } from './helpers.js';

const SPEC = loadSpec();
/** The API's operations and the control plane's (the security rules name the latter). */
const OPERATION_IDS = new Set(
  [SPEC, loadControlSpec()].flatMap((spec) =>
    Object.values(spec.paths).flatMap((item) => HTTP_METHODS.flatMap((m) => (item[m]?.operationId ? [item[m].operationId] : []))),
  ),
);

/** The JSON Schema keywords that constrain a value; each needs a source in spec/fruxon.yaml. */
const CONSTRAINTS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'pattern', 'enum', 'const', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'maxProperties', 'minProperties', 'uniqueItems'];

/** Every schema object in the spec that holds a constraint, with where it is. */
function constrainedSchemas(node: unknown, path: string, out: { path: string; schema: Record<string, unknown> }[] = []) {
  if (Array.isArray(node)) node.forEach((child, i) => constrainedSchemas(child, `${path}/${i}`, out));
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    if (CONSTRAINTS.some((k) => k in record && !isPropertyMap(path))) out.push({ path, schema: record });
    for (const [key, child] of Object.entries(record)) constrainedSchemas(child, `${path}/${key}`, out);
  }
  return out;
}

/** `properties` (and `patternProperties`) hold schemas by name: a property called `pattern` is not the keyword. */
function isPropertyMap(path: string): boolean {
  return /\/(properties|patternProperties)$/.test(path);
}

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) return testSources(file);
    return name.endsWith('.ts') ? [readFileSync(file, 'utf8')] : [];
  });
}

describe('the rule ledger', () => {
  it('gives every rule a unique kebab-case id, a source with what it rests on, and operations of the spec', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id, rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['docs', 'inferred', 'mock'], rule.id).toContain(rule.source);
      if (rule.source === 'docs') {
        expect(rule.quote, `${rule.id} quotes the docs`).toBeTruthy();
        expect(rule.page, `${rule.id} names its page`).toMatch(/^https:\/\/docs\.fruxon\.com\//);
      } else {
        expect(rule.reason, `${rule.id} says why`).toBeTruthy();
      }
      expect(rule.operations.length, `${rule.id} names its operations`).toBeGreaterThan(0);
      for (const op of rule.operations) if (op !== '*') expect(OPERATION_IDS, `${rule.id}: ${op}`).toContain(op);
    }
  });

  it('has a test titled by every rule id', () => {
    const sources = testSources(join(PACKAGE_ROOT, 'test')).join('\n');
    const untested = RULES.map((r) => r.id).filter(
      (id) => !sources.includes(`('${id}: `) && !sources.includes(`describe('${id}'`),
    );
    expect(untested, "rules without an it('<id>: …') or describe('<id>') under test/").toEqual([]);
  });

  it('keeps docs/rules.md what the ledger generates (npm run docs:rules)', () => {
    expect(readFileSync(join(PACKAGE_ROOT, RULES_DOC_FILE), 'utf8')).toBe(renderRulesDoc(RULES));
  });

  it('keeps docs/fidelity.md\'s counts and its list of mock decisions in step with the ledger', () => {
    const text = readFileSync(join(PACKAGE_ROOT, 'docs', 'fidelity.md'), 'utf8');
    const count = (source: string) => RULES.filter((r) => r.source === source).length;
    expect(text).toContain(`${RULES.length} rules: ${count('docs')} docs, ${count('inferred')} inferred, ${count('mock')} mock`);
    const unlisted = RULES.filter((r) => r.source === 'mock' && !text.includes(`\`${r.id}\``)).map((r) => r.id);
    expect(unlisted, 'mock rules docs/fidelity.md does not list').toEqual([]);
  });

  it('serves the ledger at GET /__mock/rules with each rule\'s source and what it rests on', async () => {
    const { mock } = await makeHarness();
    const res = await mock.get('/rules');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(RULES.map((r) => ({ ...r, operations: [...r.operations] })));
    expect(res.body.counts).toEqual({
      docs: RULES.filter((r) => r.source === 'docs').length,
      inferred: RULES.filter((r) => r.source === 'inferred').length,
      mock: RULES.filter((r) => r.source === 'mock').length,
    });
  });
});

describe('the spec\'s constraints', () => {
  it('give every constraint a source: x-fruxon-source docs, or inferred/mock with x-fruxon-reason', () => {
    const unlabelled = constrainedSchemas(SPEC, '#')
      .filter(({ schema }) => {
        const source = schema['x-fruxon-source'];
        if (source === 'docs') return false;
        return !(source === 'inferred' || source === 'mock') || typeof schema['x-fruxon-reason'] !== 'string';
      })
      .map(({ path }) => path);
    expect(unlabelled).toEqual([]);
  });

  it('finds the constraints it checks (the walk is not vacuous)', () => {
    const found = constrainedSchemas(SPEC, '#');
    expect(found.length).toBeGreaterThan(15);
    expect(found.map((f) => f.schema['x-fruxon-source'])).toEqual(expect.arrayContaining(['docs', 'inferred', 'mock']));
  });
});
