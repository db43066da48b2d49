import type { Contract } from './contract.js';

/** Where the checks run: any server that speaks the Fruxon API. */
export type Target = {
  baseUrl: string;
  token: string;
  tenant: string;
  /** A tenant the token should not see this tenant's records from. */
  otherTenant: string;
  /** An agent of the tenant to bind participants to, where the server has no `GET /agents`. */
  agentId?: string;
  /** The mock's control token, for the checks that need its control plane (OAuth keys without a browser). */
  controlToken?: string;
};

/** One request a check sent and what came back. */
export type Exchange = {
  method: string;
  /** The full path, from `/v1`. */
  path: string;
  requestBody?: unknown;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** How the response breaks `spec/fruxon.yaml`, if it does. */
  contractErrors: string[];
};

/** A check that found the server breaking its rule. */
export class CheckFailure extends Error {}

/** A check this tenant cannot run (an integration it lacks, a browser step); `message` says why. */
export class CheckSkipped extends Error {}

/** A prefix every record the checks create carries in `displayName`, so a person can tell them apart. */
export const RECORD_PREFIX = 'fruxon-conformance';

/**
 * What a check may do: send requests (each checked against the contract), expect things of the answers, and
 * create records, which are deleted after the run whatever happens. It never touches a record it did not create.
 */
export class CheckContext {
  readonly exchanges: Exchange[] = [];
  private readonly created: string[] = [];
  private catalogCache: Promise<Integration[]> | undefined;

  constructor(
    readonly target: Target,
    private readonly contract: Contract,
    /** A run id, so two runs' records never share a name. */
    readonly runId: string,
    private readonly cleanup: CleanupList,
  ) {}

  get agentId(): string | undefined {
    return this.target.agentId;
  }

  /**
   * A single-use OAuth credential key. The real API hands them out only after a consent in a browser; a
   * fruxon-mock mints one through its control plane. Elsewhere the check is skipped.
   */
  async mintCredentialKey(integrationId: string): Promise<string> {
    const url = `${this.target.baseUrl.replace(/\/$/, '')}/__mock/oauth/credential-keys`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(this.target.controlToken ? { Authorization: `Bearer ${this.target.controlToken}` } : {}),
        },
        body: JSON.stringify({ tenant: this.target.tenant, integrationId }),
      });
    } catch {
      throw new CheckSkipped('an OAuth credential key needs a consent in a browser');
    }
    const body = (await response.json().catch(() => ({}))) as { key?: string };
    if (response.status !== 201 || typeof body.key !== 'string') throw new CheckSkipped('an OAuth credential key needs a consent in a browser');
    return body.key;
  }

  /**
   * A call to a fruxon-mock's control plane (`/__mock` + `path`), for what the real API only does when a
   * provider calls it (an inbound message) or cannot be made to do on purpose (a provider failure).
   * Elsewhere the check is skipped.
   */
  async control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const url = `${this.target.baseUrl.replace(/\/$/, '')}/__mock${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(this.target.controlToken ? { Authorization: `Bearer ${this.target.controlToken}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new CheckSkipped(`${path} needs a fruxon-mock control plane`);
    }
    const text = await response.text();
    // A server without the control plane has no such route; the checks never ask it for a missing record.
    if (response.status === 404) throw new CheckSkipped(`${path} needs a fruxon-mock control plane`);
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CheckSkipped(`${path} needs a fruxon-mock control plane`);
    }
    if (response.status === 401 || response.status === 403) throw new CheckSkipped(`${path} needs the mock's control token`);
    return { status: response.status, body: parsed };
  }

  /** Schedules the delete of a record the run made some other way than `create` (e.g. an approve). */
  deleteLater(path: string): void {
    this.cleanup.add(this.target.tenant, path);
  }

  /** A display name for a record of this run. */
  name(what: string): string {
    return `${RECORD_PREFIX}-${this.runId} ${what}`;
  }

  /** Sends a request to `/v1/tenants/{tenant}` + `path` (another tenant with `tenant`). */
  call(method: string, path: string, body?: unknown, tenant = this.target.tenant): Promise<Exchange> {
    return this.send(method, path, body, tenant, { Authorization: `Bearer ${this.target.token}` });
  }

  /** The same without a bearer token. */
  callWithoutToken(method: string, path: string): Promise<Exchange> {
    return this.send(method, path, undefined, this.target.tenant, {});
  }

  private async send(method: string, path: string, body: unknown, tenant: string, auth: Record<string, string>): Promise<Exchange> {
    const fullPath = `/v1/tenants/${encodeURIComponent(tenant)}${path}`;
    const response = await fetch(this.target.baseUrl.replace(/\/$/, '') + fullPath, {
      method,
      headers: {
        ...auth,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const headers = Object.fromEntries(response.headers.entries());
    const contentType = headers['content-type'] ?? '';
    let parsed: unknown = text === '' ? undefined : text;
    if (text !== '' && /json/i.test(contentType)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const exchange: Exchange = {
      method,
      path: fullPath,
      ...(body === undefined ? {} : { requestBody: body }),
      status: response.status,
      headers,
      body: parsed,
      contractErrors: this.contract.check(method, fullPath.split('?')[0]!, response.status, contentType, parsed),
    };
    this.exchanges.push(exchange);
    return exchange;
  }

  /**
   * Sends a create and, whatever it answers, schedules the delete of what it made: `deletePath` turns the
   * created body into the path to DELETE.
   */
  async create(path: string, body: unknown, deletePath: (created: Record<string, unknown>) => string): Promise<Exchange> {
    const exchange = await this.call('POST', path, body);
    const created = exchange.body as Record<string, unknown> | undefined;
    if (exchange.status < 300 && created && typeof created.id === 'string') this.cleanup.add(this.target.tenant, deletePath(created));
    return exchange;
  }

  /** Like `create`, for a config on `integrationId`. */
  createConfig(integrationId: string, body: Record<string, unknown>): Promise<Exchange> {
    return this.create(`/integrations/${integrationId}/configs`, body, (c) => `/integrations/${integrationId}/configs/${String(c.id)}`);
  }

  /** Like `create`, for a participant. */
  createParticipant(body: Record<string, unknown>): Promise<Exchange> {
    return this.create('/participants', body, (p) => `/participants/${String(p.id)}`);
  }

  /** The tenant's integration catalog, every page, read once per run. */
  integrations(): Promise<Integration[]> {
    this.catalogCache ??= this.readAllIntegrations();
    return this.catalogCache;
  }

  /** The first integration `accepts`, or a skip naming what the tenant lacks. */
  async need(what: string, accepts: (i: Integration) => boolean): Promise<Integration> {
    const found = (await this.integrations()).find(accepts);
    if (!found) throw new CheckSkipped(`the tenant has no ${what}`);
    return found;
  }

  expect(condition: boolean, what: string, exchange?: Exchange): void {
    if (condition) return;
    const seen = exchange ? ` (got ${exchange.status} ${JSON.stringify(exchange.body)?.slice(0, 300) ?? ''})` : '';
    throw new CheckFailure(`${what}${seen}`);
  }

  expectStatus(exchange: Exchange, status: number, what = `${exchange.method} ${exchange.path}`): void {
    this.expect(exchange.status === status, `${what} should answer ${status}`, exchange);
  }

  /** A failure status with an RFC 9457 problem body. */
  expectProblem(exchange: Exchange, status: number, what = `${exchange.method} ${exchange.path}`): void {
    this.expectStatus(exchange, status, what);
    const body = exchange.body as Record<string, unknown> | undefined;
    this.expect(
      /^application\/problem\+json/.test(exchange.headers['content-type'] ?? '') && typeof body?.title === 'string' && body.status === status,
      `${what} should answer an application/problem+json body with title and status`,
      exchange,
    );
  }

  /**
   * Every item of a paged list, following `nextPageToken` with the name the spec gives that list. A server
   * that hands out the same token twice never ends its list: that is a failure, not an endless loop.
   */
  async pages<T>(path: string, query = ''): Promise<T[]> {
    const tokenName = this.contract.pageTokenParameter(`/v1/tenants/${this.target.tenant}${path}`);
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | null = null;
    for (;;) {
      const params = [query, token === null ? '' : `${encodeURIComponent(tokenName)}=${encodeURIComponent(token)}`].filter(Boolean).join('&');
      const exchange = await this.call('GET', `${path}${params ? `?${params}` : ''}`);
      this.expectStatus(exchange, 200, `GET ${path}`);
      const body = exchange.body as { items?: T[]; nextPageToken?: string | null } | T[];
      if (Array.isArray(body)) return body;
      all.push(...(body.items ?? []));
      token = body.nextPageToken ?? null;
      if (token === null || token === '') return all;
      this.expect(!seen.has(token) && seen.size < 1000, `GET ${path} should advance: it answered the page token '${token}' again`, exchange);
      seen.add(token);
    }
  }

  private async readAllIntegrations(): Promise<Integration[]> {
    return this.pages<Integration>('/integrations');
  }
}

/** The records a run created, deleted newest first. */
export class CleanupList {
  private readonly paths: { tenant: string; path: string }[] = [];

  add(tenant: string, path: string): void {
    this.paths.push({ tenant, path });
  }

  /** Deletes every record still listed; a record already gone (404) is fine. Returns what could not be deleted. */
  async run(target: Target): Promise<string[]> {
    const failed: string[] = [];
    while (this.paths.length > 0) {
      const { tenant, path } = this.paths.pop()!;
      const url = `${target.baseUrl.replace(/\/$/, '')}/v1/tenants/${encodeURIComponent(tenant)}${path}`;
      try {
        const response = await fetch(url, { method: 'DELETE', headers: { Authorization: `Bearer ${target.token}` } });
        await response.arrayBuffer();
        if (response.status >= 300 && response.status !== 404) failed.push(`DELETE ${path}: ${response.status}`);
      } catch (error) {
        failed.push(`DELETE ${path}: ${(error as Error).message}`);
      }
    }
    return failed;
  }
}

/** An integration as `GET /integrations` shows it (the fields the checks read). */
export type Integration = {
  id: string;
  toolCount?: number;
  configMetadata?: {
    parametersMetadata?: ParameterMetadata[];
    authMetadata?: { id: string; type?: string; parametersMetadata?: ParameterMetadata[] }[];
  };
};

export type ParameterMetadata = { name: string; required?: boolean; secret?: boolean; type?: string };
