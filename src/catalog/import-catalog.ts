import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../config.js';
import { DEFAULT_FIXTURES_DIR, loadSpec } from '../spec.js';
import { agentFixtureOf, integrationFixtureOf, type AgentView, type IntegrationView, type SlotView, type ToolView } from './import.js';
import { loadFixtures } from './load.js';
import { Contract } from '../conformance/contract.js';

export type ImportOptions = {
  baseUrl: string;
  token: string;
  tenant: string;
  /** The folder to write; it must not exist yet, or be empty. */
  out: string;
  /** Agents to read one by one, for a server without `GET /agents`. */
  agentIds?: string[];
};

export type ImportSummary = { out: string; integrations: number; tools: number; agents: number };

/** Something the source server answered that stops the import; nothing is written. */
export class ImportError extends Error {}

/**
 * Reads a tenant's integration catalog (with tools and full `configMetadata`) and agents through the documented
 * read endpoints, following every page, and writes them as a fixtures folder that `--fixtures DIR` loads.
 * The folder appears whole or not at all.
 */
export async function importCatalog(options: ImportOptions): Promise<ImportSummary> {
  const out = resolve(options.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`${out} already exists and is not empty`);
  const read = reader(options);
  const shipped = new Map(loadFixtures(DEFAULT_FIXTURES_DIR).integrations.map((i) => [i.id, i]));

  const listed = await read.pages<{ id: string }>('/integrations');
  const integrations = [];
  let toolCount = 0;
  for (const { id } of listed) {
    const view = await read.one<IntegrationView>(`/integrations/${encodeURIComponent(id)}`);
    const tools = await read.pages<ToolView>(`/integrations/${encodeURIComponent(id)}/tools`);
    toolCount += tools.length;
    integrations.push(integrationFixtureOf(view, tools, shipped.get(id)));
  }
  const agentIds = options.agentIds?.length ? options.agentIds : await read.agentIds();
  const agents = [];
  for (const id of agentIds) {
    const path = `/agents/${encodeURIComponent(id)}`;
    agents.push(agentFixtureOf(await read.one<AgentView>(path), await read.optional<SlotView[]>(`${path}/slots`)));
  }

  const files = new Map<string, string>(integrations.map((i) => [join('integrations', `${i.id}.json`), json(i)]));
  files.set('agents.json', json(agents));
  // A token short enough to occur by chance (`t`, `dev`) says nothing; a real one must never be written.
  for (const [name, text] of files) {
    if (options.token.length >= 8 && text.includes(options.token)) throw new ImportError(`refusing to write ${name}: it would contain the bearer token`);
  }

  // Written beside the target, checked by the loader the server uses, then renamed into place in one step.
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  try {
    mkdirSync(join(partial, 'integrations'), { recursive: true, mode: 0o700 });
    for (const [name, text] of files) writeFileSync(join(partial, name), text);
    loadFixtures(partial);
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(partial, out);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return { out, integrations: integrations.length, tools: toolCount, agents: agents.length };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** GETs under `/v1/tenants/{tenant}` with the token; every answer but 200 stops the import. */
function reader(options: ImportOptions) {
  const base = `${options.baseUrl.replace(/\/$/, '')}/v1/tenants/${encodeURIComponent(options.tenant)}`;
  const contract = new Contract(loadSpec());
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    let response: Response;
    try {
      response = await fetch(base + path, { headers: { Authorization: `Bearer ${options.token}` } });
    } catch (error) {
      throw new ImportError(`GET ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the message
    }
    return { status: response.status, body };
  };
  const one = async <T>(path: string): Promise<T> => {
    const { status, body } = await get(path);
    if (status !== 200) throw new ImportError(`GET ${path} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body as T;
  };
  /** Like `one`, for a read a server may not have (404 or 405: undefined). */
  const optional = async <T>(path: string): Promise<T | undefined> => {
    const { status, body } = await get(path);
    if (status === 404 || status === 405) return undefined;
    if (status !== 200) throw new ImportError(`GET ${path} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body as T;
  };
  const pages = async <T>(path: string): Promise<T[]> => {
    const tokenName = contract.pageTokenParameter(`/v1/tenants/${options.tenant}${path}`);
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | null = null;
    for (;;) {
      const body: T[] | { items: T[]; nextPageToken?: string | null } = await one(
        token ? `${path}?${encodeURIComponent(tokenName)}=${encodeURIComponent(token)}` : path,
      );
      if (Array.isArray(body)) return body;
      all.push(...body.items);
      token = body.nextPageToken ?? null;
      if (!token) return all;
      if (seen.has(token)) throw new ImportError(`GET ${path} handed out the page token '${token}' twice: its list never ends`);
      seen.add(token);
    }
  };
  const agentIds = async (): Promise<string[]> => {
    const { status, body } = await get('/agents');
    if (status === 404 || status === 405) throw new ImportError('the server has no GET /agents: name the agents with --agent ID');
    if (status !== 200) throw new ImportError(`GET /agents answered ${status}`);
    const items = Array.isArray(body) ? body : (body as { items?: unknown[] }).items ?? [];
    return (items as { id: string; deletedAt?: unknown }[]).filter((a) => !a.deletedAt).map((a) => a.id);
  };
  return { one, optional, pages, agentIds };
}

export const IMPORT_USAGE = `Usage: fruxon-mock import-catalog --base-url URL --token TOKEN --tenant TENANT --out DIR [--agent ID ...]

Reads the tenant's integrations (with their tools and full configMetadata) and agents through the documented
read endpoints and writes them as a fixtures folder for --fixtures DIR. No credential value is written: the
reads carry none, secret parameters get no value, and a file that would contain the token is refused.
DIR must not exist or be empty; it appears whole or not at all.

  --base-url URL    the server to read from
  --token TOKEN     a bearer token for the tenant (FRUXON_TOKEN)
  --tenant TENANT   the tenant to read
  --out DIR         the fixtures folder to write
  --agent ID        an agent to import (repeatable); default: every agent GET /agents lists
  --help            this text
`;

/** `fruxon-mock import-catalog …`: returns the exit code. */
export async function importCatalogMain(argv: string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'base-url': { type: 'string' },
        token: { type: 'string' },
        tenant: { type: 'string' },
        out: { type: 'string' },
        agent: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    out.write(IMPORT_USAGE);
    return 0;
  }
  const token = values.token ?? env.FRUXON_TOKEN;
  if (!values['base-url'] || !/^https?:\/\//.test(values['base-url'])) throw new UsageError('--base-url must be an http(s) URL');
  if (!token) throw new UsageError('--token (or FRUXON_TOKEN) is required');
  if (!values.tenant) throw new UsageError('--tenant is required');
  if (!values.out) throw new UsageError('--out is required');
  try {
    const summary = await importCatalog({
      baseUrl: values['base-url'],
      token,
      tenant: values.tenant,
      out: values.out,
      ...(values.agent ? { agentIds: values.agent } : {}),
    });
    out.write(`import-catalog: wrote ${summary.integrations} integrations (${summary.tools} tools) and ${summary.agents} agents to ${summary.out}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    process.stderr.write(`fruxon-mock import-catalog: ${error.message}; nothing was written\n`);
    return 1;
  }
}
