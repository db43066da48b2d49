import { existsSync, readFileSync } from 'node:fs';
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

let cached: { text: string; document: OpenApiDocument } | undefined;

/** The mock's contract, parsed once. Callers get their own copy. */
export function loadSpec(): OpenApiDocument {
  cached ??= (() => {
    const text = readFileSync(SPEC_FILE, 'utf8');
    // js-yaml: the `yaml` package takes ~200 ms to load and parse the spec, a fifth of a cold start.
    return { text, document: load(text, { schema: CORE_SCHEMA }) as OpenApiDocument };
  })();
  return structuredClone(cached.document);
}

/** The contract as written, for serving. */
export function specText(): string {
  loadSpec();
  return cached!.text;
}

/** The control plane's own contract (`/__mock`), parsed on every call: the caller owns the copy. */
export function loadControlSpec(): OpenApiDocument {
  return load(readFileSync(CONTROL_SPEC_FILE, 'utf8'), { schema: CORE_SCHEMA }) as OpenApiDocument;
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
