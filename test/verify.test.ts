import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockControlError, MockVerificationError, mockClient, startMock, type MockServer } from '../src/index.js';
import { expectProblem, makeHarness } from './helpers.js';

const H = { Authorization: 'Bearer t', 'Content-Type': 'application/json' };

describe('verify', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  const createConfig = (tenant: string, displayName: string) =>
    fetch(`${mock.url}/v1/tenants/${tenant}/integrations/slack/configs`, { method: 'POST', headers: H, body: JSON.stringify({ displayName }) });

  it('verify-with-diff: passes with the matching requests, at least one by default', async () => {
    await createConfig('acme', 'Main');
    const result = mock.verify({ operationId: 'createIntegrationConfig', tenant: 'acme', bodyMatches: { displayName: 'Main' } });
    expect(result.matched).toBe(1);
    expect(result.requests[0]).toMatchObject({ method: 'POST', requestBody: { displayName: 'Main' } });
    expect(mock.verify({ operationId: 'createIntegrationConfig', times: 1 }).matched).toBe(1);
    expect(mock.verify({ operationId: 'deleteIntegrationConfig', times: 0 }).matched).toBe(0);
    expect(mock.verify({ method: 'post', times: { atLeast: 1, atMost: 2 } }).matched).toBe(1);
  });

  it('verify-with-diff: fails with what was expected and, for each near miss, the first field that differed', async () => {
    await createConfig('acme', 'Main workspace');
    await createConfig('globex', 'Main');
    const error = (() => {
      try {
        mock.verify({ operationId: 'createIntegrationConfig', tenant: 'acme', bodyMatches: { displayName: 'Main' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MockVerificationError);
    expect(error).toBeInstanceOf(MockControlError);
    const message = (error as Error).message;
    expect(message).toContain('Expected at least 1 request matching operationId createIntegrationConfig, tenant acme, a body holding {"displayName":"Main"}; received 0.');
    expect(message).toContain('Other requests to createIntegrationConfig (2, newest first):');
    expect(message).toMatch(/#\d+ POST \/v1\/tenants\/globex\/integrations\/slack\/configs -> 200: tenant globex, not acme/);
    expect(message).toMatch(/#\d+ POST \/v1\/tenants\/acme\/integrations\/slack\/configs -> 200: displayName: expected "Main", got "Main workspace"/);
    expect(error).toMatchObject({ status: 422, matched: 0, problem: { code: 'VERIFICATION_FAILED' } });
  });

  it('verify-with-diff: says when there were more than expected, listing them', async () => {
    await createConfig('acme', 'a');
    await createConfig('acme', 'b');
    expect(() => mock.verify({ operationId: 'createIntegrationConfig', times: 1 })).toThrow(
      /Expected exactly 1 request matching operationId createIntegrationConfig; received 2\.\nMatching requests \(newest first\):\n {2}#\d+ POST/,
    );
    expect(() => mock.verify({ operationId: 'createIntegrationConfig', times: { atMost: 1 } })).toThrow(/Expected at most 1 request/);
  });

  it('says there were no requests at all', () => {
    expect(() => mock.verify({ operationId: 'listIntegrations' })).toThrow(/received 0\.\nNo other requests to listIntegrations\./);
  });

  it('verify-with-diff: gives the same verdict over HTTP (mockClient and POST /__mock/verify)', async () => {
    await createConfig('acme', 'Main workspace');
    const client = mockClient(mock.url);
    expect((await client.verify({ operationId: 'createIntegrationConfig' })).matched).toBe(1);
    const expectation = { operationId: 'createIntegrationConfig', bodyMatches: { displayName: 'Other' } };
    const overHttp = await client.verify(expectation).catch((e: unknown) => e);
    expect(overHttp).toBeInstanceOf(MockVerificationError);
    const inProcess = (() => {
      try {
        mock.verify(expectation);
      } catch (e) {
        return e;
      }
    })();
    expect((overHttp as Error).message).toBe((inProcess as Error).message);
    expect((overHttp as Error).message).toContain('displayName: expected "Other", got "Main workspace"');
  });

  it.each([
    ['an unknown field', { operationId: 'getIntegration', count: 1 }, 'count is not a field of a verification'],
    ['negative times', { operationId: 'getIntegration', times: -1 }, 'times must be a whole number'],
    ['a range upside down', { operationId: 'getIntegration', times: { atLeast: 3, atMost: 1 } }, 'times must be'],
  ])('refuses a verification with %s (400) both ways', async (_name, expectation, detail) => {
    const overHttp = await mockClient(mock.url).verify(expectation as never).catch((e: unknown) => e);
    expect(overHttp).toMatchObject({ status: 400, problem: { detail: expect.stringContaining(detail) } });
    expect(() => mock.verify(expectation as never)).toThrow(detail);
  });
});

describe('journal-unknown-operation', () => {
  it('journal-unknown-operation: GET /__mock/requests?operationId= of no operation is a 400 naming it', async () => {
    const { mock } = await makeHarness();
    const problem = expectProblem(await mock.get('/requests?operationId=createIntegrationConfgi'), 400, 'VALIDATION_FAILED');
    expect(problem.detail).toContain("no operation 'createIntegrationConfgi'");
    expect(problem.errors).toEqual({ operationId: ["'createIntegrationConfgi' is not an operation of the API spec"] });
    expect((await mock.get('/requests?operationId=createIntegrationConfig')).status).toBe(200);
  });

  it('journal-unknown-operation: the in-process journal and verify throw for it, and mockClient too', async () => {
    const mock = await startMock();
    try {
      expect(() => mock.journal({ operationId: 'nope' })).toThrow(MockControlError);
      expect(() => mock.journal({ operationId: 'nope' })).toThrow(/no operation 'nope'/);
      expect(() => mock.verify({ operationId: 'nope', times: 0 })).toThrow(/no operation 'nope'/);
      await expect(mockClient(mock.url).journal({ operationId: 'nope' })).rejects.toMatchObject({ status: 400 });
      await expect(mockClient(mock.url).verify({ operationId: 'nope' })).rejects.toMatchObject({ status: 400 });
    } finally {
      await mock.close();
    }
  });
});

describe('journal-size-and-drops', () => {
  it('journal-size-and-drops: the journal keeps the newest 200 requests and GET /__mock/requests counts the ones it dropped', async () => {
    const { api, mock } = await makeHarness();
    for (let i = 0; i < 205; i++) await api.get('/integrations');
    const page = await mock.get('/requests');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ totalCount: 200, capacity: 200, dropped: 5 });
    expect(page.body.items).toHaveLength(200);
    // Newest first: requests 205 down to 6 are kept, 1 to 5 are gone.
    expect(page.body.items[0].id).toBe(205);
    expect(page.body.items.at(-1).id).toBe(6);

    expect((await mock.delete('/requests')).status).toBe(204);
    expect((await mock.get('/requests')).body).toMatchObject({ totalCount: 0, capacity: 200, dropped: 0 });
  });

  it('journal-size-and-drops: a verification that fails after drops says how many, in-process and over HTTP; one without drops does not', async () => {
    const mock = await startMock({ journalSize: 3 });
    try {
      const url = `${mock.url}/v1/tenants/acme/integrations/slack/configs`;
      const create = () => fetch(url, { method: 'POST', headers: H, body: JSON.stringify({ displayName: 'Main' }) }).then((r) => r.text());
      await create();
      expect(() => mock.verify({ operationId: 'createIntegrationConfig', times: 2 })).toThrow(MockVerificationError);
      expect(() => mock.verify({ operationId: 'createIntegrationConfig', times: 2 })).not.toThrow(/dropped/);

      for (let i = 0; i < 4; i++) await create();
      const expected = /The journal keeps the newest 3 requests \(--journal-size, startMock\(\{ journalSize \}\)\): 2 older ones were dropped and are not counted\./;
      expect(() => mock.verify({ operationId: 'createIntegrationConfig', times: 5 })).toThrow(expected);
      const problem = await fetch(`${mock.url}/__mock/verify`, { method: 'POST', headers: H, body: JSON.stringify({ operationId: 'createIntegrationConfig', times: 5 }) });
      expect(problem.status).toBe(422);
      expect(((await problem.json()) as { detail: string }).detail).toMatch(expected);
      // What the journal still holds is still counted, and passes when it is enough.
      expect(mock.verify({ operationId: 'createIntegrationConfig', times: 3 }).matched).toBe(3);
    } finally {
      await mock.close();
    }
  });
});
