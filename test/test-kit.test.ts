import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../src/config.js';
import { MockControlError, mockClient, startMock, type MockServer } from '../src/index.js';

const token = { Authorization: 'Bearer test-token', 'Content-Type': 'application/json' };

describe('startMock', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({ seed: 7 });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  const createConfig = (tenant = 'acme') =>
    fetch(`${mock.url}/v1/tenants/${tenant}/integrations/slack/configs`, { method: 'POST', headers: token, body: JSON.stringify({ displayName: 'x' }) });

  it('listens on a free port of 127.0.0.1', () => {
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
    expect(mock.port).toBeGreaterThan(0);
  });

  it('records what the code under test sent', async () => {
    expect((await createConfig()).status).toBe(200);
    const [entry] = mock.journal({ operationId: 'createIntegrationConfig' });
    expect(entry).toMatchObject({ method: 'POST', status: 200, requestBody: { displayName: 'x' } });
  });

  it('starts every test from the fixtures after reset()', async () => {
    await createConfig();
    await mock.reset();
    expect(mock.journal()).toEqual([]);
    const list = await fetch(`${mock.url}/v1/tenants/acme/integrations/slack/configs`, { headers: token });
    expect(await list.json()).toEqual([]);
  });

  it('resets one tenant only', async () => {
    await createConfig('acme');
    await createConfig('globex');
    await mock.reset({ tenant: 'acme' });
    expect(Object.values(mock.state().configs).map((c) => c.tenant)).toEqual(['globex']);
  });

  it('injects faults and mints keys', async () => {
    mock.addFault({ operationId: 'createIntegrationConfig', status: 400, times: 'once' });
    expect(mock.faults()).toHaveLength(1);
    expect((await createConfig()).status).toBe(400);
    expect((await createConfig()).status).toBe(200);
    expect(() => mock.addFault({ operationId: 'nope', status: 500 })).toThrow(/no operation 'nope'/);

    const key = await mock.mintCredentialKey({ tenant: 'acme', integrationId: 'github' });
    const res = await fetch(`${mock.url}/v1/tenants/acme/integrations/github/configs`, {
      method: 'POST',
      headers: token,
      body: JSON.stringify({ displayName: 'gh', oAuthCredentialKey: key }),
    });
    expect((await res.json()).hasAuth).toBe(true);
  });

  it('round-trips state', async () => {
    await createConfig();
    const saved = mock.state();
    await mock.reset();
    await mock.setState(saved);
    expect(mock.state()).toEqual(saved);
    await expect(mock.setState({ ...saved, meta: { schemaVersion: 2 as 1, sequence: 0 } })).rejects.toThrow(/schemaVersion/);
  });

  it('is driven over HTTP by mockClient, as from a vitest globalSetup', async () => {
    const client = mockClient(mock.url);
    await createConfig();
    expect(await client.journal({ method: 'POST' })).toHaveLength(1);
    await client.addFault({ operationId: 'getIntegration', status: 404, times: 'once' });
    expect((await fetch(`${mock.url}/v1/tenants/acme/integrations/slack`, { headers: token })).status).toBe(404);
    const key = await client.mintCredentialKey({ tenant: 'acme', integrationId: 'github' });
    expect(key).toMatch(/^ock_/);
    // An unused key is a secret: hidden over HTTP (state-hides-unused-oauth-keys), there in-process.
    expect(Object.keys((await client.state()).oauthKeys)).toEqual(['[redacted]-1']);
    expect(Object.keys(mock.state().oauthKeys)).toEqual([key]);
    await client.reset();
    expect(await client.journal()).toEqual([]);
    const error = await client.addFault({ operationId: 'nope', status: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MockControlError);
    expect(error).toMatchObject({ status: 422 });
  });
});

describe('startMock with options', () => {
  it('honours the journal size and validation mode', async () => {
    const mock = await startMock({ journalSize: 1, validation: 'warn' });
    try {
      for (const id of ['slack', 'github']) await fetch(`${mock.url}/v1/tenants/acme/integrations/${id}`, { headers: token });
      expect(mock.journal().map((e) => e.path)).toEqual(['/v1/tenants/acme/integrations/github']);
      const res = await fetch(`${mock.url}/v1/tenants/acme/integrations/slack/configs`, {
        method: 'POST',
        headers: token,
        body: JSON.stringify({ displayName: 'x', colour: 'blue' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-mock-violations')).toContain('colour');
    } finally {
      await mock.close();
    }
  });
});

describe('CLI options of the control plane', () => {
  it('reads --validation, --journal-size and --cors', () => {
    const options = parseOptions(['--validation', 'warn', '--journal-size', '50', '--cors', 'http://a.test, http://b.test'], {});
    expect(options).toMatchObject({ validation: 'warn', journalSize: 50, corsOrigins: ['http://a.test', 'http://b.test'] });
    expect(parseOptions(['--cors', 'off'], {})).toMatchObject({ corsOrigins: [] });
    expect(parseOptions([], {})).toMatchObject({ validation: 'strict', journalSize: 200, corsOrigins: ['*'] });
  });

  it.each([
    [['--validation', 'loose'], /--validation must be one of strict, warn, off/],
    [['--journal-size', '0'], /--journal-size must be a whole number/],
    [['--cors', ','], /--cors needs/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(UsageError);
    expect(() => parseOptions(argv, {})).toThrow(message);
  });
});

describe('close-grace', () => {
  const slowRequest = (url: string) =>
    fetch(`${url}/v1/tenants/acme/integrations/slack`, { headers: { ...token, Prefer: 'delay=30000' } }).then(
      (res) => res.status,
      () => 'cut',
    );

  it('close-grace: close({ force: true }) ends an in-flight delayed request at once', async () => {
    const mock = await startMock();
    const pending = slowRequest(mock.url);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await mock.close({ force: true });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('cut');
  });

  it('close-grace: the default close cuts a request still waiting after 3 s, well inside a 10 s hook timeout', async () => {
    const mock = await startMock();
    const pending = slowRequest(mock.url);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await mock.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(5000);
    expect(await pending).toBe('cut');
  });

  it('lets a short request finish on a default close', async () => {
    const mock = await startMock();
    const pending = fetch(`${mock.url}/v1/tenants/acme/integrations/slack`, { headers: { ...token, Prefer: 'delay=200' } }).then((res) => res.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await mock.close();
    expect(await pending).toBe(200);
    // Its keep-alive connection is closed once it goes idle, not at the 3 s cut.
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the kit\'s surface', () => {
  it('gives mockClient every verb startMock has', async () => {
    const mock = await startMock();
    try {
      const inProcess = Object.keys(mock).filter((key) => !['port', 'controlToken', 'close'].includes(key));
      const overHttp = Object.keys(mockClient(mock.url));
      expect(inProcess.filter((key) => !overHttp.includes(key))).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it('exports every error class it throws, each an Error with its own name', async () => {
    const kit = await import('../src/index.js');
    for (const name of ['MockControlError', 'MockVerificationError', 'UsageError', 'BaselineError', 'DemoError', 'FixtureError', 'AccessOptionsError', 'StoreFileError', 'StoreLockedError'] as const) {
      const ErrorClass = kit[name] as unknown as new (...args: never[]) => Error;
      expect(typeof ErrorClass, name).toBe('function');
      expect(ErrorClass.prototype, name).toBeInstanceOf(Error);
    }
    expect(new kit.MockVerificationError(422, { detail: 'd', matched: 2 })).toMatchObject({ name: 'MockVerificationError', message: 'd', matched: 2, status: 422 });
  });

  it('throws MockControlError, as mockClient does, for a snapshot setState refuses', async () => {
    const mock = await startMock();
    try {
      const bad = { ...mock.state(), meta: { schemaVersion: 2 as 1, sequence: 0 } };
      const inProcess = await mock.setState(bad).catch((e: unknown) => e);
      const overHttp = await mockClient(mock.url).setState(bad).catch((e: unknown) => e);
      expect(inProcess).toBeInstanceOf(MockControlError);
      expect((inProcess as Error).message).toBe((overHttp as Error).message);
    } finally {
      await mock.close();
    }
  });

  it.each([
    [{ db: 'x.json', inMemory: true }, /db and inMemory cannot be used together/],
    [{ bodyLimit: 'huge' }, /--body-limit must be a size/],
    [{ latency: { delay: -1 } }, /latency: delay must be a whole number/],
  ])('refuses startMock(%j) with a UsageError', async (options, message) => {
    const error = await startMock(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('startMock({ latency }) slows requests from the start', async () => {
    const mock = await startMock({ latency: { delay: 0, operations: { getIntegration: { delay: 150 } } } });
    try {
      const started = Date.now();
      await fetch(`${mock.url}/v1/tenants/acme/integrations/slack`, { headers: token });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(mock.latency()).toEqual({ delay: 0, jitter: 0, operations: { getIntegration: { delay: 150, jitter: 0 } } });
    } finally {
      await mock.close();
    }
  });
});

describe('rules-checked-alike: the messaging, agent and OAuth verbs', () => {
  it('refuse in-process with the MockControlError mockClient throws for the same call', async () => {
    const mock = await startMock();
    try {
      const client = mockClient(mock.url);
      const calls: [string, (kit: typeof client) => Promise<unknown>, number][] = [
        ['simulateInboundMessage', (kit) => kit.simulateInboundMessage({ tenant: 'acme', agentId: 'support_bot', integrationConfigId: '00000000-0000-4000-8000-000000000001', address: '1' }), 404],
        ['defineAgent', (kit) => kit.defineAgent({ tenant: 'acme', agentId: 'nobody', slots: [] }), 404],
        ['scriptProviderAnswer', (kit) => kit.scriptProviderAnswer({ tenant: 'acme' } as never), 400],
        ['mintCredentialKey', (kit) => kit.mintCredentialKey({ tenant: 'acme', integrationId: 'nope' }), 404],
      ];
      for (const [name, call, status] of calls) {
        const inProcess = await call(mock as unknown as typeof client).catch((error: unknown) => error);
        const overHttp = await call(client).catch((error: unknown) => error);
        for (const error of [inProcess, overHttp]) {
          expect(error, name).toBeInstanceOf(MockControlError);
          expect((error as MockControlError).status, name).toBe(status);
        }
        // The same fields refused both ways (over HTTP the contract validator words them; see the #16 note).
        const fields = (e: unknown) => Object.keys(((e as MockControlError).problem as { errors?: object }).errors ?? {});
        expect(fields(inProcess), name).toEqual(fields(overHttp));
      }
    } finally {
      await mock.close();
    }
  });
});
