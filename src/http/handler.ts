/** What a handler learns about the request it answers. */
export type Call = {
  tenant: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** Who is calling, for `createdBy` (the token's `sub`, or a name faked from the token). */
  user: string;
  /**
   * The base of every URL that points back at the mock (no trailing `/`): `--public-url`, else the scheme and
   * host the client used, held to the allowed host names (see `baseUrlOf` in host-check.ts).
   */
  baseUrl: string;
};

/** What a handler answers. The app serialises it; handlers never touch the response object. */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export type Handler = (call: Call) => Reply | Promise<Reply>;

/** Handlers by OpenAPI operation id. */
export type Handlers = Record<string, Handler>;

export function ok(body: unknown): Reply {
  return { status: 200, body };
}

export function noContent(): Reply {
  return { status: 204 };
}
