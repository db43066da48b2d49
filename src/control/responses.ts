import { HTTP_METHODS, type OpenApiDocument } from '../spec.js';

/** How an operation documents one status: with a ProblemDetails body, or with no body at all. */
export type ResponseShape = { status: number; body: 'problem' | 'empty' | 'success' };

type ResponseObject = { $ref?: string; content?: Record<string, unknown> };

/** The statuses each operation documents, read from the spec, so injected errors look like real ones. */
export class DocumentedResponses {
  private readonly byOperation = new Map<string, Map<number, ResponseShape>>();
  private readonly methods = new Map<string, string>();

  constructor(spec: OpenApiDocument) {
    const shared = ((spec.components as { responses?: Record<string, ResponseObject> } | undefined)?.responses) ?? {};
    for (const item of Object.values(spec.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method] as { operationId?: string; responses?: Record<string, ResponseObject> } | undefined;
        if (!operation?.operationId) continue;
        const shapes = new Map<number, ResponseShape>();
        for (const [code, declared] of Object.entries(operation.responses ?? {})) {
          const status = Number(code);
          if (!Number.isInteger(status)) continue;
          const response = declared.$ref ? shared[declared.$ref.split('/').pop()!] ?? declared : declared;
          const body = status < 400 ? 'success' : response.content ? 'problem' : 'empty';
          shapes.set(status, { status, body });
        }
        this.byOperation.set(operation.operationId, shapes);
        this.methods.set(operation.operationId, method.toUpperCase());
      }
    }
  }

  has(operationId: string): boolean {
    return this.byOperation.has(operationId);
  }

  /** The HTTP method of an operation, upper-case. */
  methodOf(operationId: string): string | undefined {
    return this.methods.get(operationId);
  }

  shapeOf(operationId: string, status: number): ResponseShape | undefined {
    return this.byOperation.get(operationId)?.get(status);
  }

  /** The statuses the operation documents, ascending. */
  statusesOf(operationId: string): number[] {
    return [...(this.byOperation.get(operationId)?.keys() ?? [])].sort((a, b) => a - b);
  }
}
