import { spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/config.js';
import { BIN, startCli } from './cli-process.js';

/** The URL the CLI printed, with its host replaced by 127.0.0.1: traffic never leaves this machine. */
const loopback = (url: string) => url.replace(/^http:\/\/[^/]+:(\d+)$/, 'http://127.0.0.1:$1');

async function withCli(args: string[], run: (url: string, output: string) => Promise<void>): Promise<void> {
  const cli = startCli(['--port', '0', '--in-memory', ...args]);
  try {
    await run(await cli.url, cli.output());
  } finally {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
}

/** fetch sends the URL's own Host; this sends `host` instead, to 127.0.0.1. */
function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { ...headers, Host: host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
  });
}

const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as { status: number; code: string };
};

describe('the CLI, safe by default', () => {
  it('control-token-when-exposed: listening on 0.0.0.0 without a token generates one, prints it once and requires it', async () => {
    await withCli(['--host', '0.0.0.0'], async (printed, output) => {
      // A reachable URL: the wildcard address is no address to connect to.
      expect(printed).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = /control token: ([\w-]+) \(generated/.exec(output)?.[1];
      expect(token).toMatch(/^[\w-]{32}$/);
      expect(output.split(token!)).toHaveLength(2);
      const url = loopback(printed);
      const anonymous = await fetch(`${url}/__mock/state`);
      expect(anonymous.status).toBe(401);
      expect(await problemOf(anonymous)).toMatchObject({ status: 401, code: 'CONTROL_TOKEN_REQUIRED' });
      expect((await fetch(`${url}/__mock/reset`, { method: 'POST', headers: { Authorization: 'Bearer guess' } })).status).toBe(401);
      expect((await fetch(`${url}/__mock/state`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${url}/v1/tenants/acme/integrations/slack`, { headers: { Authorization: 'Bearer any' } })).status).toBe(200);
      const rebound = await getWithHost(`${url}/__mock/health`, 'attacker.example', { Authorization: `Bearer ${token}` });
      expect(rebound.status).toBe(421);
      expect(rebound.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(rebound.body)).toMatchObject({ status: 421, code: 'HOST_NOT_ALLOWED' });
    });
  });

  it('control-token-when-exposed: --jwt-secret on loopback generates one too; a given token is never printed', async () => {
    await withCli(['--jwt-secret', 'shh'], async (_url, output) => {
      expect(output).toMatch(/control token: [\w-]{32} \(generated/);
    });
    await withCli(['--host', '0.0.0.0', '--control-token', 'my-own-token'], async (printed, output) => {
      expect(output).toContain('control token: as given');
      expect(output).not.toContain('my-own-token');
      const url = loopback(printed);
      expect((await fetch(`${url}/__mock/health`, { headers: { Authorization: 'Bearer my-own-token' } })).status).toBe(200);
    });
  });

  it('control-token-when-exposed: on loopback without --jwt-secret, no token is made or asked for', async () => {
    await withCli([], async (url, output) => {
      expect(output).not.toContain('control token');
      expect((await fetch(`${url}/__mock/health`)).status).toBe(200);
    });
  });

  it('control-token: is read from --control-token or FRUXON_MOCK_CONTROL_TOKEN, the option winning', () => {
    expect(parseOptions([], { FRUXON_MOCK_CONTROL_TOKEN: 'from-env' })).toMatchObject({ controlToken: 'from-env' });
    expect(parseOptions(['--control-token', 'from-flag'], { FRUXON_MOCK_CONTROL_TOKEN: 'from-env' })).toMatchObject({ controlToken: 'from-flag' });
    expect(parseOptions(['--control-cors', 'http://a.test, http://b.test', '--public-url', 'https://demo.example.com/mock/'], {})).toMatchObject({
      controlCorsOrigins: ['http://a.test', 'http://b.test'],
      publicUrl: 'https://demo.example.com/mock',
    });
  });

  it.each([
    [['--control-cors', '*', '--control-token', 't'], "never '*'"],
    [['--control-cors', 'http://app.test'], 'needs --control-token'],
    [['--control-cors', 'app.test', '--control-token', 't'], 'not an origin'],
    [['--public-url', 'ftp://demo.example.com'], '--public-url'],
    [['--public-url', 'https://demo.example.com/?a=1'], '--public-url'],
  ])('control-cors-needs-token: %j is refused with exit code 2', (args, message) => {
    const res = spawnSync(process.execPath, [BIN, '--port', '0', '--in-memory', ...args], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('public-url-base: --public-url is what authorizationUrl starts with, and its host is answered', async () => {
    await withCli(['--public-url', 'https://demo.example.com/mock/'], async (url) => {
      const headers = { Authorization: 'Bearer any', 'Content-Type': 'application/json' };
      const res = await fetch(`${url}/v1/tenants/acme/integrations/github:authorize`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ integrationAuthMetadataId: 'oauth2' }),
      });
      expect(((await res.json()) as { authorizationUrl: string }).authorizationUrl).toMatch(/^https:\/\/demo\.example\.com\/mock\/__mock\/oauth\/authorize\?/);
      expect((await getWithHost(`${url}/__mock/health`, 'demo.example.com')).status).toBe(200);
      expect((await getWithHost(`${url}/__mock/health`, 'other.example.com')).status).toBe(421);
    });
  });
});
