import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError, importCatalog } from '../src/catalog/import-catalog.js';
import { startMock, type MockServer } from '../src/index.js';

const TOKEN = 'import-token-0123456789';
const AGENTS = ['support_bot', 'triage_agent', 'digest_writer'];

let source: MockServer;
let dir: string;
beforeAll(async () => {
  source = await startMock({ seed: 3 });
  dir = mkdtempSync(join(tmpdir(), 'fruxon-import-'));
});
afterAll(async () => {
  await source.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(base: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/v1/tenants/acme${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: await response.json() };
}

/** Paths of the list pages after the first that the import asked for. */
const followed: string[] = [];

/** A proxy in front of the source that lists two items a page, so the import has to follow the pages. */
async function pagingProxy(failOn?: RegExp): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (failOn?.test(req.url ?? '')) {
      res.writeHead(503, { 'Content-Type': 'application/problem+json' }).end('{"title":"down","status":503}');
      return;
    }
    const url = new URL(req.url ?? '/', source.url);
    // The docs name the page size differently per list: page_size on the catalog, Paging.PageSize on tools.
    if (url.pathname.endsWith('/integrations')) url.searchParams.set('page_size', '2');
    if (url.pathname.endsWith('/tools')) url.searchParams.set('Paging.PageSize', '2');
    if (url.search.includes('token') || url.search.includes('Token')) followed.push(url.pathname);
    const upstream = httpRequest(`${source.url}${url.pathname}${url.search}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('fruxon-mock import-catalog', () => {
  it('writes fixtures on which a mock answers the catalog reads as the source does', async () => {
    const proxy = await pagingProxy();
    const out = join(dir, 'imported');
    try {
      const summary = await importCatalog({ baseUrl: proxy.url, token: TOKEN, tenant: 'acme', out, agentIds: AGENTS });
      expect(summary).toMatchObject({ integrations: 5, agents: 3 });
      expect(followed.filter((p) => p.endsWith('/integrations'))).toHaveLength(2);
      expect(followed.some((p) => p.endsWith('/tools'))).toBe(true);
    } finally {
      await proxy.close();
    }
    const copy = await startMock({ seed: 3, fixtures: out });
    try {
      const list = await get(source.url, '/integrations');
      expect(await get(copy.url, '/integrations')).toEqual(list);
      for (const { id } of (list.body as { items: { id: string }[] }).items) {
        expect(await get(copy.url, `/integrations/${id}`)).toEqual(await get(source.url, `/integrations/${id}`));
        expect(await get(copy.url, `/integrations/${id}/tools`)).toEqual(await get(source.url, `/integrations/${id}/tools`));
      }
      for (const id of AGENTS) expect(await get(copy.url, `/agents/${id}`)).toEqual(await get(source.url, `/agents/${id}`));
      for (const id of AGENTS) expect(await get(copy.url, `/agents/${id}/slots`)).toEqual(await get(source.url, `/agents/${id}/slots`));
    } finally {
      await copy.close();
    }
    const written = readdirSync(join(out, 'integrations')).map((f) => readFileSync(join(out, 'integrations', f), 'utf8'));
    for (const text of written) {
      expect(text).not.toContain(TOKEN);
      const secretWithValue = JSON.stringify(JSON.parse(text)).match(/"secret":true,"defaultValue"/);
      expect(secretWithValue).toBeNull();
    }
  });

  it('leaves no folder behind when the source fails part-way', async () => {
    const proxy = await pagingProxy(/\/integrations\/slack\/tools/);
    const out = join(dir, 'failed');
    try {
      await expect(importCatalog({ baseUrl: proxy.url, token: TOKEN, tenant: 'acme', out, agentIds: AGENTS })).rejects.toThrow(ImportError);
    } finally {
      await proxy.close();
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('failed'))).toEqual([]);
  });

  it('refuses a folder that already holds files, and writes nothing there', async () => {
    const out = join(dir, 'imported');
    const before = readdirSync(out);
    await expect(importCatalog({ baseUrl: source.url, token: TOKEN, tenant: 'acme', out, agentIds: AGENTS })).rejects.toThrow(/not empty/);
    expect(readdirSync(out)).toEqual(before);
  });
});
