import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { RouteTable } from '../src/http/routes.js';
import { COMPILED_SPEC_FILE, CONTROL_SPEC_FILE, SPEC_FILE, loadSpec, parseSpec, readCompiledSpec } from '../src/spec.js';
import { AUTH, configsPath, makeHarness } from './helpers.js';

const routes = new RouteTable(loadSpec());
const CONFIG = '/v1/tenants/acme/integrations/slack/configs/00000000-0000-4000-8000-000000000001';

describe('RouteTable', () => {
  it('names the operation and its path parameters, decoded', () => {
    expect(routes.match('GET', '/v1/tenants/ac%20me/integrations/slack/configs/abc')).toEqual({
      kind: 'found',
      operation: {
        operationId: 'getIntegrationConfig',
        template: '/v1/tenants/{tenant}/integrations/{integration}/configs/{config}',
        params: { tenant: 'ac me', integration: 'slack', config: 'abc' },
      },
    });
  });

  it('tells {config}:publish from {config}, allows a trailing slash, and answers HEAD as GET', () => {
    expect(routes.match('POST', `${CONFIG}:publish`)).toMatchObject({ kind: 'found', operation: { operationId: 'publishIntegrationConfig' } });
    expect(routes.match('GET', `${CONFIG}/`)).toMatchObject({ kind: 'found', operation: { operationId: 'getIntegrationConfig' } });
    expect(routes.match('HEAD', CONFIG)).toMatchObject({ kind: 'found', operation: { operationId: 'getIntegrationConfig' } });
  });

  it('prefers a concrete path to a templated one, for matching and for Allow', () => {
    expect(routes.match('GET', '/v1/tenants/acme/participants/consultRoster')).toMatchObject({ kind: 'found', operation: { template: '/v1/tenants/{tenant}/participants/consultRoster' } });
    expect(routes.match('DELETE', '/v1/tenants/acme/participants/consultRoster')).toEqual({ kind: 'wrong-method', allow: ['GET'] });
  });

  it('finds nothing for a path the spec does not have', () => {
    expect(routes.match('GET', '/v1/tenants/acme/widgets')).toEqual({ kind: 'none' });
    expect(routes.match('GET', '/v1/tenants/acme/integrations/slack/configs/a/b/c')).toEqual({ kind: 'none' });
  });
});

describe('404 and 405: one wording', () => {
  it('names the method and path, for the API, the control plane and anything else alike', async () => {
    const { app } = await makeHarness();
    const api = await request(app).get('/v1/tenants/acme/widgets').set(AUTH);
    const control = await request(app).get('/__mock/nowhere');
    const other = await request(app).post('/elsewhere');
    expect(api.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', detail: 'No operation matches GET /v1/tenants/acme/widgets.' });
    expect(control.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', detail: 'No operation matches GET /__mock/nowhere.' });
    expect(other.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', detail: 'No operation matches POST /elsewhere.' });
  });

  it('405 says which methods the path has, in Allow and in the detail', async () => {
    const { app } = await makeHarness();
    const res = await request(app).put(`/v1/tenants/acme${configsPath()}`).set(AUTH);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST');
    expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED', detail: `PUT is not allowed on /v1/tenants/acme${configsPath()}; use GET, POST.` });
  });
});

describe('the spec files', () => {
  // js-yaml's keys are slices of the spec's text, and V8 keeps a slice of a two-byte text two-byte, also
  // once it is a property name. One character outside Latin-1 in a description made `hasAuth` and its
  // neighbours two-byte names, so every reply and journal line naming them was built two bytes a character:
  // a config's reply text took 905 bytes in the request log instead of about 480 (docs/request-path.md).
  it.each([
    ['fruxon.yaml', SPEC_FILE],
    ['control.yaml', CONTROL_SPEC_FILE],
  ])('%s has no character outside Latin-1, so the keys read from it are one-byte strings', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const outside = [...new Set(text.match(/[^\x00-\xff]/g) ?? [])];
    expect(outside, `write ${outside.join(' ')} in ASCII (for example ... and -)`).toEqual([]);
  });
});

describe('the compiled spec (npm run build)', () => {
  const yaml = readFileSync(SPEC_FILE, 'utf8');

  it('holds the YAML\'s document, and loadSpec reads the same document either way', () => {
    expect(readCompiledSpec(COMPILED_SPEC_FILE, yaml)).toEqual(parseSpec(yaml));
    expect(loadSpec()).toEqual(parseSpec(yaml));
  });

  it('is not used once the YAML has changed, nor when it is missing or broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compiled-spec-'));
    try {
      const file = join(dir, 'fruxon.spec.json');
      writeFileSync(file, readFileSync(COMPILED_SPEC_FILE));
      expect(readCompiledSpec(file, yaml)).toBeDefined();
      expect(readCompiledSpec(file, `${yaml}\n# edited\n`)).toBeUndefined();
      writeFileSync(file, '{"digest": "');
      expect(readCompiledSpec(file, yaml)).toBeUndefined();
      expect(readCompiledSpec(join(dir, 'missing.json'), yaml)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
