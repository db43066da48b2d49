import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
const H = { Authorization: 'Bearer bench', 'Content-Type': 'application/json' };
const ticks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
let port = 4900 + Math.floor(Math.random() * 50);
async function up(url) { for (let i = 0; i < 3000; i++) { try { const r = await fetch(url, { headers: H }); if (r.status === 200) return; } catch {} await new Promise((r) => setTimeout(r, 20)); } throw new Error('no start ' + url); }
const run = (url, amount, method = 'GET', body) => new Promise((res, rej) => autocannon({ url, connections: 16, amount, method, headers: H, body }, (e, r) => (e ? rej(e) : res(r))));
async function measure(name, args, kind) {
  const p = port++;
  const child = spawn(process.execPath, [...args(p)], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${p}`;
  try {
    await up(`${origin}/v1/tenants/acme/integrations`);
    let path = '/v1/tenants/acme/integrations/slack/configs/00000000-0000-4000-8000-000000000001';
    if (kind !== 'prism') {
      const r = await fetch(`${origin}/v1/tenants/acme/integrations/slack/configs`, { method: 'POST', headers: H, body: '{"displayName":"x","auth":{"integrationAuthMetadataId":"bot_token","parameters":{"token":"t"}}}' });
      path = `/v1/tenants/acme/integrations/slack/configs/${(await r.json()).id}`;
    }
    const n = kind === 'prism' ? 2000 : 8000;
    const out = {};
    for (const [label, method, url, body] of [['get', 'GET', origin + path], ['create', 'POST', `${origin}/v1/tenants/bench/integrations/slack/configs`, '{"displayName":"Bench workspace","auth":{"integrationAuthMetadataId":"bot_token","parameters":{"token":"t"}}}']]) {
      await run(url, n / 4, method, body);
      const before = ticks(child.pid);
      const r = await run(url, n, method, body);
      const cpu = (ticks(child.pid) - before) * 10;
      out[label] = { usPerReq: Math.round((cpu * 1000) / n), non2xx: r.non2xx, rps: Math.round(r.requests.average) };
    }
    console.log(name, JSON.stringify(out));
  } finally { child.kill('SIGKILL'); }
}
const mock = (dir) => (p) => [`${dir}/dist/src/bin.js`, '--port', String(p), '--in-memory'];
const which = process.argv.slice(2);
const all = {
  current: () => measure('fruxon-mock now', mock('/work/wt-engine-http')),
  host: () => measure('now + host.ts', mock('/tmp/eh-host')),
  nohost: () => measure('now without host.ts', mock('/tmp/eh-nohost')),
  old: () => measure('e58bd95', mock('/tmp/eh-old')),
  express: () => measure('bare express app.listen', (p) => ['/work/wt-engine-http/dist/bench/bare-express.js', String(p)]),
  prism: () => measure('prism', (p) => ['/work/wt-engine-http/node_modules/@stoplight/prism-cli/dist/index.js', 'mock', '/work/wt-engine-http/spec/fruxon.yaml', '-p', String(p), '-h', '127.0.0.1', '-v', 'warn'], 'prism'),
};
for (const w of which) await all[w]();
