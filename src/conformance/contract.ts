import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { RouteTable } from '../http/routes.js';
import type { OpenApiDocument } from '../spec.js';

type ResponseObject = { $ref?: string; content?: Record<string, { schema?: unknown }> };
type Operation = { operationId?: string; responses?: Record<string, ResponseObject>; parameters?: { name: string; in: string }[] };

/**
 * Holds responses to `spec/fruxon.yaml`: the status must be one the operation documents, and a JSON body must
 * fit the documented schema. The spec's own `$ref`s resolve against the whole document.
 */
export class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly routes: RouteTable;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly spec: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: 'fruxon', components: (spec as { components?: unknown }).components ?? {} });
    this.routes = new RouteTable(spec);
  }

  /** The operation id a request path names, if the spec has it. */
  operationOf(method: string, path: string): { operationId: string; template: string } | undefined {
    const match = this.routes.match(method, path);
    return match.kind === 'found' ? { operationId: match.operation.operationId, template: match.operation.template } : undefined;
  }

  /**
   * The query parameter a list takes its `nextPageToken` back in: the docs name it differently per list
   * (`page_token`, `Paging.PageToken.Skip`, `PageToken.Skip`, `pageToken`).
   */
  pageTokenParameter(path: string): string {
    const operation = this.operation('GET', path);
    const names = (operation?.parameters ?? []).map((p) => this.deref<{ name: string; in: string }>(p)).filter((p) => p.in === 'query').map((p) => p.name);
    return (
      names.find((name) => /^page.?token$/i.test(name)) ??
      names.find((name) => /page.?token\.cursor$/i.test(name)) ??
      names.find((name) => /page.?token/i.test(name)) ??
      'pageToken'
    );
  }

  /** What is wrong with a response, as sentences; empty when it fits the contract. */
  check(method: string, path: string, status: number, contentType: string, body: unknown): string[] {
    const found = this.operationOf(method, path);
    if (!found) return [`${method} ${path} is not an operation of the spec`];
    const operation = this.operation(method, path)!;
    const declared = operation.responses?.[String(status)] ?? operation.responses?.[`${String(status)[0]}XX`] ?? operation.responses?.default;
    if (!declared) return [`status ${status} is not documented for ${found.operationId}`];
    const response = this.deref<ResponseObject>(declared);
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    if (!response.content) return body === undefined ? [] : [`${found.operationId} documents no body for ${status}`];
    const media = response.content[mediaType];
    if (!media) return [`${found.operationId} ${status}: content type '${mediaType}' is not one of ${Object.keys(response.content).join(', ')}`];
    if (media.schema === undefined) return [];
    const key = `${found.operationId} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(media.schema) as object);
      this.validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, 5).map((e) => `body${e.instancePath || ''} ${e.message ?? 'is invalid'}`);
  }

  private operation(method: string, path: string): Operation | undefined {
    const found = this.operationOf(method, path);
    if (!found) return undefined;
    const item = this.spec.paths[found.template] as Record<string, Operation>;
    return item[(method === 'HEAD' ? 'get' : method).toLowerCase()];
  }

  private deref<T>(value: T & { $ref?: string }): T {
    let current: unknown = value;
    for (let depth = 0; depth < 8 && typeof (current as { $ref?: unknown }).$ref === 'string'; depth += 1) {
      const pointer = (current as { $ref: string }).$ref.replace(/^#\//, '').split('/');
      current = pointer.reduce<unknown>((node, part) => (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')], this.spec);
    }
    return current as T;
  }
}

/** A schema inlined in `paths` refers to `#/components/…`; it is compiled on its own, so point those at the document. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `fruxon${value}` : rebase(value)]),
  );
}
