import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import { createApp, type AppOptions } from '../src/app.js';
import { loadFixtures } from '../src/catalog/load.js';
import { ControlState } from '../src/control/control.js';
import type { Catalog } from '../src/catalog/types.js';
import { Generator, logicalClock, type Clock } from '../src/generate/generator.js';
import { DEFAULT_FIXTURES_DIR } from '../src/spec.js';
import { mintOAuthCredentialKey } from '../src/resources/oauth/keys.js';
import { Store } from '../src/store/store.js';

export const T0 = 1767225600000;
export const TOKEN = 'test-token';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

const fixtures = loadFixtures(DEFAULT_FIXTURES_DIR);

export type Harness = {
  app: Express;
  store: Store;
  catalog: Catalog;
  /** Sends a request with a bearer token; `path` is relative to `/v1/tenants/{tenant}`. */
  api: ApiClient;
  /** The same for another tenant. */
  as: (tenant: string) => ApiClient;
  /** Calls the control plane: `path` is relative to `/__mock`, no token. */
  mock: ControlClient;
  /** Mints a single-use OAuth credential key, as the OAuth popup would. */
  mintKey: (tenant: string, integrationId: string, scopes?: string[]) => Promise<string>;
};

type ControlClient = {
  get: (path: string) => request.Test;
  post: (path: string, body?: unknown) => request.Test;
  put: (path: string, body?: unknown) => request.Test;
  delete: (path: string) => request.Test;
};

type ApiClient = {
  get: (path: string) => request.Test;
  post: (path: string, body?: unknown) => request.Test;
  patch: (path: string, body?: unknown) => request.Test;
  put: (path: string, body?: unknown) => request.Test;
  delete: (path: string) => request.Test;
};

/** An app on the in-memory store, the shipped fixtures, a fixed seed and clock, and response validation on. */
export async function makeHarness(
  options: { seed?: number; store?: Store; tenant?: string; app?: Partial<AppOptions>; journalSize?: number; clock?: Clock } = {},
): Promise<Harness> {
  const store = options.store ?? (await Store.openMemory());
  const catalog = structuredClone(fixtures);
  const generator = new Generator(options.seed ?? 1);
  const clock = options.clock ?? logicalClock(T0);
  const app = createApp({
    store,
    catalog,
    generator,
    clock,
    ...(options.journalSize ? { control: new ControlState({ journalSize: options.journalSize }) } : {}),
    options: { validateResponses: true, logger: { error: () => {} }, ...options.app },
  });
  const client = (tenant: string): ApiClient => {
    const base = `/v1/tenants/${tenant}`;
    const withBody = (test: request.Test, body: unknown) => (body === undefined ? test : test.send(body as object));
    return {
      get: (path) => request(app).get(base + path).set(AUTH),
      post: (path, body) => withBody(request(app).post(base + path).set(AUTH), body),
      patch: (path, body) => withBody(request(app).patch(base + path).set(AUTH), body),
      put: (path, body) => withBody(request(app).put(base + path).set(AUTH), body),
      delete: (path) => request(app).delete(base + path).set(AUTH),
    };
  };
  const mintKey = async (tenant: string, integrationId: string, scopes?: string[]) =>
    (await mintOAuthCredentialKey({ store, catalog, generator, clock }, { tenant, integrationId, scopes })).key;
  const withBody = (test: request.Test, body: unknown) => (body === undefined ? test : test.send(body as object));
  const mock: ControlClient = {
    get: (path) => request(app).get(`/__mock${path}`),
    post: (path, body) => withBody(request(app).post(`/__mock${path}`), body),
    put: (path, body) => withBody(request(app).put(`/__mock${path}`), body),
    delete: (path) => request(app).delete(`/__mock${path}`),
  };
  return { app, store, catalog, api: client(options.tenant ?? 'acme'), as: client, mock, mintKey };
}

/** The one assertion for the problem shape: status, media type, and the RFC 9457 members. */
export function expectProblem(res: request.Response, status: number, code?: string): Record<string, unknown> {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
  expect(typeof body.detail).toBe('string');
  expect(body.instance).toEqual(expect.stringMatching(/^\//));
  if (code) expect(body.code).toBe(code);
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  return body;
}

export const configsPath = (integration = 'slack') => `/integrations/${integration}/configs`;
