import type { RequestHandler, Response, Router } from 'express';
import type { ServiceDeps } from '../deps.js';
import { findTenantIntegration } from '../resources/catalog/integrations.js';
import { toConfigView, toRevisionView } from '../resources/configs/view.js';
import { toAccessRequestView } from '../resources/messaging/view.js';
import { toBindingView, toParticipantView } from '../resources/participants/view.js';

/**
 * The inspector: a page at `/__mock` for a person, showing the store by tenant, the live request log, the
 * fault rules and a reset button. The page and its script and style are static and hold no data, so they are
 * served without the control token (a browser's address bar cannot send one); the data comes from the
 * control plane's own endpoints, which the script calls with the token when the mock has one (asked once, kept
 * in the tab's sessionStorage). Everything is same-origin: no CDN, no inline script, a CSP that says so.
 */
export const INSPECTOR_ASSETS = new Set(['/', '/inspector.js', '/inspector.css']);

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function addInspectorRoutes(router: Router, services: ServiceDeps): void {
  router.get('/', (_req, res) => sendAsset(res, 'text/html; charset=utf-8', PAGE));
  router.get('/inspector.js', (_req, res) => sendAsset(res, 'text/javascript; charset=utf-8', SCRIPT));
  router.get('/inspector.css', (_req, res) => sendAsset(res, 'text/css; charset=utf-8', STYLE));
  router.get('/overview', async (_req, res) => {
    await services.store.settled();
    res.json(overview(services));
  });
}

function sendAsset(res: Response, type: string, body: string): void {
  res.set({ 'Content-Type': type, 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  res.send(body);
}

/**
 * Every tenant's records as the API shows them (so no credential value, and health computed as on a read),
 * configs with their revisions and participants with their bindings.
 */
export function overview(services: ServiceDeps) {
  const { store, catalog } = services;
  // Read through the store's indexed finders: the page polls this every second, so nothing is copied whole.
  const tenants = [...store.tenantsIn(['configs', 'participants', 'integrations', 'accessRequests'])].sort();
  return {
    tenants: tenants.map((tenant) => {
      const custom = store.listCustomIntegrations(tenant);
      const integrationIds = [...catalog.integrations.map((i) => i.id), ...custom.map((i) => i.integrationId)];
      const configs = integrationIds
        .flatMap((id) => store.listConfigs(tenant, id))
        .sort((a, b) => a.createdAt - b.createdAt)
        .flatMap((config) => {
          const integration = findTenantIntegration(services, tenant, config.integrationId);
          if (!integration) return [];
          const revisions = store
            .listRevisions(tenant, config.id)
            .sort((a, b) => a.version - b.version)
            .map((r) => toRevisionView(r, integration));
          return [{ ...toConfigView(config, integration), revisions }];
        });
      const participants = store
        .listParticipants(tenant)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((participant) => ({
          ...toParticipantView(services, participant),
          bindings: store.listBindings(tenant, { participantId: participant.id }).map((b) => toBindingView(services, b, participant)),
        }));
      const accessRequests = store.listAccessRequests(tenant).sort((a, b) => a.createdAt - b.createdAt).map(toAccessRequestView);
      return { tenant, configs, participants, accessRequests, customIntegrations: custom.length };
    }),
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fruxon-mock inspector</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/__mock/inspector.css">
<script src="/__mock/inspector.js" defer></script>
</head>
<body>
<header>
  <h1>fruxon-mock</h1>
  <span id="health" class="muted">connecting…</span>
  <button id="reset" type="button" title="POST /__mock/reset">Reset</button>
</header>
<form id="token-form" hidden>
  <label>This mock needs its control token: <input id="token" type="password" autocomplete="off"></label>
  <button type="submit">Use it</button>
</form>
<main>
  <section id="store-section"><h2>Store</h2><div id="store" class="muted">Loading…</div></section>
  <section id="log-section">
    <h2>Requests <span id="log-count" class="muted"></span></h2>
    <table id="log"><thead><tr><th>time</th><th>method</th><th>path</th><th>status</th><th>operation</th></tr></thead><tbody></tbody></table>
    <pre id="detail" hidden></pre>
  </section>
  <section id="faults-section"><h2>Faults and stubs</h2><div id="faults" class="muted">None.</div></section>
</main>
</body>
</html>
`;

const STYLE = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #1d232a; color: #fff; }
header h1 { font-size: 1.1rem; margin: 0; }
header button { margin-left: auto; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; padding: 1rem; }
#faults-section { grid-column: 1 / -1; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: .5rem 1rem 1rem; overflow: auto; }
h2 { font-size: 1rem; } h3 { font-size: .95rem; margin: .8rem 0 .3rem; } h4 { font-size: .9rem; margin: .5rem 0 .2rem; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
td, th { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eef0f2; vertical-align: top; }
tr.entry { cursor: pointer; } tr.entry:hover { background: #eef4ff; }
.s2 { color: #1a7f37; } .s4 { color: #b35900; } .s5 { color: #c62828; }
.muted { color: #6b7480; } .tag { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e8ecf1; font-size: 12px; margin-right: 4px; }
.published { background: #d8f5e0; } .unreachable { background: #fde2e1; }
pre { background: #1d232a; color: #e6e6e6; padding: .6rem; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
#token-form { padding: .6rem 1rem; background: #fff3cd; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
`;

// The page's script: plain DOM, no framework, text set with textContent (never innerHTML) so that a record's
// display name cannot inject markup.
const SCRIPT = `'use strict';
(function () {
  var token = sessionStorage.getItem('fruxon-mock-token') || '';
  var entries = [];
  var disabledFaults = [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  function call(method, path, body) {
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch('/__mock' + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (res) {
      if (res.status === 401) { document.getElementById('token-form').hidden = false; throw new Error('control token needed'); }
      if (res.status === 204) return null;
      return res.json().then(function (json) { if (!res.ok) throw new Error(json.detail || json.title || String(res.status)); return json; });
    });
  }

  function time(ms) { return new Date(ms).toISOString().slice(11, 23); }

  function renderStore(data) {
    var root = document.getElementById('store');
    root.textContent = '';
    root.className = '';
    if (data.tenants.length === 0) { root.className = 'muted'; root.textContent = 'The store is empty.'; return; }
    data.tenants.forEach(function (t) {
      var section = el('div', { 'class': 'tenant', 'data-tenant': t.tenant }, [el('h3', { text: 'Tenant ' + t.tenant })]);
      section.appendChild(el('h4', { text: 'Configs (' + t.configs.length + ')' }));
      var configs = el('table', { 'class': 'configs' });
      t.configs.forEach(function (c) {
        var revs = el('td', {}, c.revisions.map(function (r) {
          return el('span', { 'class': 'tag' + (r.id === c.publishedRevisionId ? ' published' : ''), title: r.note || '', text: 'v' + r.version + (r.id === c.publishedRevisionId ? ' published' : '') });
        }));
        if (c.revisions.length === 0) revs.appendChild(el('span', { 'class': 'muted', text: 'draft only' }));
        configs.appendChild(el('tr', { 'data-id': c.id }, [el('td', { text: c.displayName || '(no name)' }), el('td', { 'class': 'muted', text: c.integrationId }), revs]));
      });
      section.appendChild(configs);
      section.appendChild(el('h4', { text: 'Participants (' + t.participants.length + ')' }));
      var people = el('table', { 'class': 'participants' });
      t.participants.forEach(function (p) {
        var channels = p.channels.map(function (ch) { return ch.address + (ch.disabled ? ' (disabled)' : ''); }).join(', ');
        var agents = p.bindings.map(function (b) { return b.agentId + (b.roles && b.roles.length ? ' [' + b.roles.join(', ') + ']' : ''); }).join(', ');
        var health = p.health.reachable ? 'reachable' : 'unreachable: ' + (p.health.reason || '');
        people.appendChild(el('tr', { 'data-id': p.id }, [
          el('td', { text: p.displayName }), el('td', { 'class': 'muted', text: p.kind + (p.disabledAt ? ' · disabled' : '') }),
          el('td', { text: channels || '—' }), el('td', { text: agents || '—' }),
          el('td', {}, [el('span', { 'class': 'tag' + (p.health.reachable ? '' : ' unreachable'), text: health })]),
        ]));
      });
      section.appendChild(people);
      if (t.accessRequests.length > 0) {
        section.appendChild(el('h4', { text: 'Access requests (' + t.accessRequests.length + ')' }));
        var requests = el('table', { 'class': 'access-requests' });
        t.accessRequests.forEach(function (r) {
          requests.appendChild(el('tr', { 'data-id': r.id }, [
            el('td', { text: r.displayName || r.address }), el('td', { 'class': 'muted', text: r.provider + ' ' + r.address }),
            el('td', { text: 'to ' + r.agentId }), el('td', {}, [el('span', { 'class': 'tag' + (r.status === 'PENDING' ? ' unreachable' : ''), text: r.status })]),
          ]));
        });
        section.appendChild(requests);
      }
      root.appendChild(section);
    });
  }

  function renderLog() {
    var body = document.querySelector('#log tbody');
    body.textContent = '';
    entries.forEach(function (e, i) {
      var row = el('tr', { 'class': 'entry', 'data-index': String(i) }, [
        el('td', { text: time(e.time) }), el('td', { text: e.method }), el('td', { text: e.path }),
        el('td', { 'class': 's' + String(e.status).charAt(0), text: e.status === null ? 'dropped' : String(e.status) }), el('td', { 'class': 'muted', text: e.operationId || '' }),
      ]);
      row.addEventListener('click', function () { showDetail(e); });
      body.appendChild(row);
    });
    document.getElementById('log-count').textContent = '(' + entries.length + ' newest)';
  }

  function showDetail(e) {
    var detail = document.getElementById('detail');
    detail.hidden = false;
    detail.textContent = JSON.stringify({ method: e.method, path: e.path, query: e.query, status: e.status, operationId: e.operationId, durationMs: e.durationMs, violations: e.violations, requestBody: e.requestBody, responseBody: e.responseBody }, null, 2);
  }

  function renderFaults(list) {
    var root = document.getElementById('faults');
    root.textContent = '';
    var rules = list.map(function (r) { return { rule: r, on: true }; }).concat(disabledFaults.map(function (r) { return { rule: r, on: false }; }));
    if (rules.length === 0) { root.className = 'muted'; root.textContent = 'None. Add them with POST /__mock/faults and /__mock/stubs, or mock.addFault() and mock.addStub().'; return; }
    root.className = '';
    rules.forEach(function (item) {
      var box = el('input', { type: 'checkbox', title: item.on ? 'Turn off (removes the rule; kept here to turn back on)' : 'Turn on again' });
      box.checked = item.on;
      box.addEventListener('change', function () { toggle(item); });
      root.appendChild(el('div', { 'class': 'fault' }, [el('label', {}, [box, ' ' + describeRule(item.rule)])]));
    });
  }

  function describeRule(r) {
    var match = [r.operationId, r.method, r.path, r.tenant && 'tenant ' + r.tenant].filter(Boolean).join(' ');
    var effect = (r.kind === 'stub' ? 'stub: ' : 'fault: ') + ([r.status && 'answers ' + r.status, r.delay && 'after ' + r.delay + ' ms', r.drop && 'drops the connection'].filter(Boolean).join(', ') || 'fails');
    return (match || 'every request') + ': ' + effect + ' (' + (r.remaining === null ? 'always' : r.remaining + ' left') + ', ' + r.hits + ' hits)';
  }

  function toggle(item) {
    var rule = item.rule;
    var done = item.on
      ? call('DELETE', collectionOf(rule) + '/' + encodeURIComponent(rule.id)).then(function () { disabledFaults.push(rule); })
      : call('POST', collectionOf(rule), inputOf(rule)).then(function () { disabledFaults = disabledFaults.filter(function (r) { return r !== rule; }); });
    done.then(refresh, report);
  }

  function collectionOf(rule) { return rule.kind === 'stub' ? '/stubs' : '/faults'; }

  function inputOf(rule) {
    var input = {};
    Object.keys(rule).forEach(function (k) { if (['id', 'kind', 'hits', 'remaining'].indexOf(k) < 0 && rule[k] !== null) input[k] = rule[k]; });
    return input;
  }

  function report(error) { document.getElementById('health').textContent = String(error.message || error); }

  function refresh() {
    return Promise.all([call('GET', '/health'), call('GET', '/overview'), call('GET', '/requests?limit=50'), call('GET', '/faults'), call('GET', '/stubs')]).then(function (r) {
      document.getElementById('health').textContent = 'store ' + r[0].status + ' · ' + r[0].operations + ' operations · validation ' + r[0].validation;
      renderStore(r[1]);
      entries = r[2].items;
      renderLog();
      renderFaults(r[3].items.concat(r[4].items));
    }, report);
  }

  document.getElementById('reset').addEventListener('click', function () {
    disabledFaults = [];
    call('POST', '/reset').then(refresh, report);
  });
  document.getElementById('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    token = document.getElementById('token').value.trim();
    sessionStorage.setItem('fruxon-mock-token', token);
    document.getElementById('token-form').hidden = true;
    refresh();
  });
  refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 1000);
})();
`;

/** `GET /`: where to go, as a small page for a browser and as JSON for anything else. */
export function rootLinks(operationCount: number): RequestHandler {
  const links = {
    inspector: '/__mock',
    api: '/v1/tenants/{tenant}',
    openapi: '/__mock/openapi.yaml',
    rules: '/__mock/rules',
    health: '/__mock/health',
  };
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fruxon-mock</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/__mock/inspector.css"></head>
<body><header><h1>fruxon-mock</h1><span>${operationCount} operations of the Fruxon API</span></header>
<main><section><ul>
<li><a href="/__mock">Inspector</a>: the store, the request log, faults, reset</li>
<li><a href="/__mock/openapi.yaml">The contract</a> (OpenAPI 3.1)</li>
<li><a href="/__mock/rules">The rule ledger</a>: every behaviour the mock enforces, with its source</li>
<li>The API: <code>/v1/tenants/{tenant}/…</code> with any bearer token</li>
</ul></section></main></body></html>
`;
  return (req, res) => {
    if (req.accepts(['application/json', 'text/html']) === 'text/html') sendAsset(res, 'text/html; charset=utf-8', page);
    else res.json({ name: 'fruxon-mock', operations: operationCount, links });
  };
}
