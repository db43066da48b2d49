import type { Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { configsPath, makeHarness, type Harness } from './helpers.js';

/** What a client sees of a response, less `Date`, which moves with the wall clock. */
function seen(res: Response): { status: number; headers: string[]; text: string } {
  const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'date') headers.push(`${raw[i]}: ${raw[i + 1]}`);
  return { status: res.status, headers, text: res.text };
}

/** One request to every kind of reply the API sends: bodies, lists, extra headers, 204s, problems, CORS. */
async function session(h: Harness): Promise<ReturnType<typeof seen>[]> {
  const answers: ReturnType<typeof seen>[] = [];
  const keep = (res: Response) => {
    answers.push(seen(res));
    return res;
  };
  const origin = (test: ReturnType<Harness['api']['get']>) => test.set('Origin', 'https://app.example');
  keep(await h.api.get('/integrations'));
  keep(await h.api.get('/integrations/slack'));
  keep(await h.api.get('/integrations/slack/tools'));
  const created = keep(
    await origin(h.api.post(configsPath(), { displayName: 'Main', auth: { integrationAuthMetadataId: 'bot_token', parameters: { token: 't' } } })),
  );
  const path = `${configsPath()}/${created.body.id as string}`;
  keep(await origin(h.api.get(path)));
  keep(await h.api.get(configsPath()));
  keep(await h.api.patch(path, { displayName: 'Renamed' }));
  const published = keep(await h.api.post(`${path}:publish`, { note: 'v1' }));
  keep(await h.api.post(`${path}:testTool`, { toolId: 'list_channels' }));
  keep(await h.api.get(`${path}/revisions`));
  keep(await h.api.get(`${path}/revisions/${published.body.id as string}`));
  keep(await h.api.post(`${path}:rollback`, { revisionId: published.body.id }));
  const participant = keep(
    await h.api.post('/participants', { displayName: 'Ada', channels: [{ integrationConfigId: created.body.id, address: 'C1' }], agentIds: ['support_bot'] }),
  );
  const person = `/participants/${participant.body.id as string}`;
  keep(await h.api.get(person));
  keep(await h.api.get('/participants'));
  keep(await h.api.put(`${person}/bindings/triage_agent`));
  keep(await h.api.patch(`${person}/bindings/support_bot/roster`, { roles: ['ux'], consultAllowed: true }));
  keep(await h.api.get('/participants/consultRoster?agentId=support_bot'));
  keep(await h.api.post(`${person}:disable`));
  keep(await h.api.delete(`${person}/bindings/triage_agent`));
  keep(await h.api.delete(person));
  keep(await h.api.get(person));
  keep(await h.api.post(configsPath(), { displayName: 7 }));
  keep(await h.api.delete(path));
  return answers;
}

describe('the direct send path', () => {
  it('answers every kind of reply with the bytes res.json sends', async () => {
    const direct = await session(await makeHarness({ app: { validateResponses: false } }));
    const throughJson = await session(await makeHarness({ app: { validateResponses: true } }));
    expect(direct).toHaveLength(24);
    expect(direct.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 204, 204, 404, 400, 204]);
    expect(direct).toEqual(throughJson);
    const get = direct[4]!;
    expect(get.headers).toEqual([
      'Vary: Origin',
      'Access-Control-Allow-Origin: https://app.example',
      'Access-Control-Expose-Headers: WWW-Authenticate, Allow, X-Mock-Violations, X-Mock-Fault, X-Mock-Stub, X-Mock-Revision',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(get.text)}`,
      'Connection: close',
    ]);
    expect(JSON.parse(get.text)).toMatchObject({ displayName: 'Main', hasAuth: true });
    expect(direct[8]!.headers).toContainEqual(expect.stringMatching(/^X-Mock-Revision: [0-9a-f-]{36}; version=1$/));
  });

  it('journals the body it sent, as res.json does', async () => {
    type Entry = Record<string, unknown> & { requestHeaders: Record<string, string> };
    const journals: Record<string, unknown>[][] = [];
    for (const validateResponses of [false, true]) {
      const h = await makeHarness({ app: { validateResponses } });
      await session(h);
      const items = (await h.mock.get('/requests')).body.items as Entry[];
      // `host` names the port supertest listened on.
      journals.push(items.map(({ time: _time, durationMs: _duration, requestHeaders: { host: _host, ...headers }, ...entry }) => ({ ...entry, headers })));
    }
    expect(journals[0]).toHaveLength(24);
    expect(journals[0]!.find((e) => e.operationId === 'getIntegrationConfig')!.responseBody).toMatchObject({ displayName: 'Main', hasAuth: true });
    expect(journals[0]).toEqual(journals[1]);
  });
});
