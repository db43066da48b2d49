import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load } from 'js-yaml';

/** An OpenAPI document as plain data. */
export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; [key: string]: unknown }>>;
  [key: string]: unknown;
};

/** The folder holding `package.json`, `spec/` and `fixtures/`, from src/ (tests) and dist/src/ alike. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export const SPEC_FILE = join(PACKAGE_ROOT, 'spec', 'fruxon.yaml');
export const DEFAULT_FIXTURES_DIR = join(PACKAGE_ROOT, 'fixtures');
export const CONTROL_SPEC_FILE = join(PACKAGE_ROOT, 'spec', 'control.yaml');

/**
 * The spec as JSON, written by `npm run build` (`compileSpec`) with the digest of the YAML it came from.
 * Parsing the YAML took about 60 of the 65-105 ms of the first `startMock()` of a process (the target is
 * 100 ms; bench/RESULTS.md); JSON.parse takes about 3. A copy whose digest is not the YAML's is not used.
 */
export const COMPILED_SPEC_FILE = join(PACKAGE_ROOT, 'dist', 'src', 'fruxon.spec.json');

let cached: { text: string; document: OpenApiDocument } | undefined;

/** The mock's contract, parsed once. Callers get their own copy. */
export function loadSpec(): OpenApiDocument {
  cached ??= (() => {
    const text = readFileSync(SPEC_FILE, 'utf8');
    return { text, document: readCompiledSpec(COMPILED_SPEC_FILE, text) ?? parseSpec(text) };
  })();
  return structuredClone(cached.document);
}

/** Writes COMPILED_SPEC_FILE from spec/fruxon.yaml (run by `npm run build`). */
export function compileSpec(): void {
  const text = readFileSync(SPEC_FILE, 'utf8');
  writeFileSync(COMPILED_SPEC_FILE, JSON.stringify({ digest: digestOf(text), document: parseSpec(text) }));
}

/** The spec's YAML as the mock reads it. */
export function parseSpec(text: string): OpenApiDocument {
  // js-yaml: the `yaml` package takes ~200 ms to load and parse the spec, a fifth of a cold start.
  return load(text, { schema: CORE_SCHEMA }) as OpenApiDocument;
}

/** The document of a compiled spec `file` made from `yamlText`; undefined when it is missing, unreadable or from another text. */
export function readCompiledSpec(file: string, yamlText: string): OpenApiDocument | undefined {
  try {
    const compiled = JSON.parse(readFileSync(file, 'utf8')) as { digest?: unknown; document?: OpenApiDocument };
    return compiled.digest === digestOf(yamlText) ? compiled.document : undefined;
  } catch {
    return undefined;
  }
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The contract as written, for serving. */
export function specText(): string {
  loadSpec();
  return cached!.text;
}

/** The control plane's own contract (`/__mock`), parsed on every call: the caller owns the copy. */
export function loadControlSpec(): OpenApiDocument {
  return parseSpec(readFileSync(CONTROL_SPEC_FILE, 'utf8'));
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'spec', 'fruxon.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`spec/fruxon.yaml not found above ${start}`);
    dir = parent;
  }
  return dir;
}
