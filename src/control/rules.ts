import type { Rule } from '../rules.js';

const CONSENT = ['showConsent', 'decideConsent'];

/**
 * How the mock keeps itself safe to run on a laptop that browses the web and in a shared demo (see
 * docs/security.md). The Fruxon docs do not describe the mock's control plane: every rule is `mock`.
 */
/** Every operation of the control plane (spec/control.yaml). */
const CONTROL_OPERATIONS = [
  'getHealth', 'resetMock', 'exportState', 'importState', 'listRequests', 'clearRequests', 'addFault', 'listFaults',
  'clearFaults', 'deleteFault', 'mintCredentialKey', 'showConsent', 'decideConsent', 'getOpenApiJson', 'getOpenApiYaml',
  'listRules', 'defineAgent', 'addStub', 'listStubs', 'clearStubs', 'deleteStub', 'getLatency', 'setLatency', 'verifyRequests',
  'setBaseline', 'clearBaseline',
];

export const CONTROL_RULES: readonly Rule[] = [
  {
    id: 'host-allowlist',
    resource: 'control',
    summary:
      'A request whose Host (X-Forwarded-Host with --trust-proxy) names neither a loopback address, the listen address (on 0.0.0.0: this machine\'s name and addresses), the --public-url host nor an --allowed-hosts entry is a 421 problem, on /v1 and /__mock alike.',
    source: 'mock',
    reason:
      'DNS rebinding: a page on attacker.example can point its own name at 127.0.0.1 and then reach the mock as same-origin; its requests still carry Host: attacker.example. 421 (Misdirected Request) says this server does not answer to that authority.',
    operations: ['*', ...CONTROL_OPERATIONS],
  },
  {
    id: 'control-no-cors',
    resource: 'control',
    summary: '/__mock sends no CORS headers (the API\'s CORS under /v1 is unchanged); only --control-cors origins get them.',
    source: 'mock',
    reason: 'With CORS on the control plane any page the developer opens could read the store and the journal.',
    operations: CONTROL_OPERATIONS,
  },
  {
    id: 'control-foreign-origin',
    resource: 'control',
    summary:
      'A /__mock request with an Origin other than the mock\'s own (or Origin: null), or without Origin but with Sec-Fetch-Site: cross-site or same-site, is a 403 problem, before it changes anything. The consent page (GET /__mock/oauth/authorize) is the exception: any app opens it as a popup.',
    source: 'mock',
    reason:
      'No CORS stops a page reading answers, not sending requests: a cross-site form or no-cors fetch could still reset the store, replace it or add faults. Non-browser clients send no Origin and are unaffected.',
    operations: CONTROL_OPERATIONS,
  },
  {
    id: 'control-token',
    resource: 'control',
    summary:
      'With --control-token (startMock({ controlToken }), mockClient(url, { token })), every /__mock call but the consent page and the inspector\'s static page, script and style needs Authorization: Bearer TOKEN, else a 401 problem with WWW-Authenticate.',
    source: 'mock',
    reason:
      'A token is what keeps the control plane to its owner where the network reaches further than the developer. The consent page is opened as a popup, which cannot send a header: its CSRF token guards it instead.',
    operations: CONTROL_OPERATIONS,
  },
  {
    id: 'control-token-when-exposed',
    resource: 'control',
    summary:
      'Listening on a non-loopback address, or running with --jwt-secret, requires a control token: when none is given, the mock generates a random one and prints it once at start (MockServer.controlToken in-process).',
    source: 'mock',
    reason:
      'Generate rather than refuse: starting stays one command, and the control plane is never open beyond loopback or beside a strict /v1. A fixed token is --control-token or FRUXON_MOCK_CONTROL_TOKEN.',
    operations: CONTROL_OPERATIONS,
  },
  {
    id: 'control-cors-needs-token',
    resource: 'control',
    summary: '--control-cors lists the origins whose pages may call /__mock; it is refused at start with \'*\', with a value that is not an origin, or without --control-token.',
    source: 'mock',
    reason: 'A page on another origin driving the control plane is a test set-up\'s explicit choice, and even then it must hold the token.',
    operations: CONTROL_OPERATIONS,
  },
  {
    id: 'state-secrets-need-token',
    resource: 'control',
    summary: 'GET /__mock/state?includeSecrets=true is a 403 problem unless the mock runs with a control token (which the call then sends).',
    source: 'mock',
    reason: 'The unredacted export is every stored credential in one response; it goes only to whoever holds the token.',
    operations: ['exportState'],
  },
  {
    id: 'state-hides-unused-oauth-keys',
    resource: 'control',
    summary:
      'The redacted export hides each OAuth credential key not yet consumed, as its record\'s key and as the record\'s name ([redacted]-1, [redacted]-2, … in store order); consumed keys, which can no longer connect anything, stay.',
    source: 'mock',
    reason: 'An unused key connects a config once: it is a bearer secret like the tokens it stands for.',
    operations: ['exportState'],
  },
  {
    id: 'public-url-base',
    resource: 'control',
    summary:
      'Every URL the mock hands out (authorizationUrl, the consent links of :verifyAuth, webhook URLs) starts with --public-url when set (a path prefix kept); else with http:// and the Host the client used, which host-allowlist has checked.',
    source: 'mock',
    reason: 'A copied Host header would let whoever sends the request choose where the user is sent to approve a grant.',
    operations: ['authorizeIntegration', 'verifyIntegrationConfigAuth'],
  },
  {
    id: 'trust-proxy',
    resource: 'control',
    summary:
      'X-Forwarded-Proto and X-Forwarded-Host (first values) count, for the host check, the same-origin check and the URLs handed out, only with --trust-proxy; otherwise they are ignored.',
    source: 'mock',
    reason: 'Any client can send them; only a reverse proxy the operator put in front may be believed.',
    operations: ['*', 'showConsent'],
  },
  {
    id: 'consent-csrf-token',
    resource: 'control',
    summary:
      'Each consent page opens a pending authorization with a random CSRF token; Approve and Deny post only those two and the decision, and what is granted is what the page showed. A post without the matching token of a pending authorization, one already decided, or one from another origin is a 403 problem and mints nothing.',
    source: 'mock',
    reason: 'Without it, any page could post the form itself and mint a credential key for any tenant.',
    operations: CONSENT,
  },
  {
    id: 'consent-no-framing',
    resource: 'control',
    summary:
      "Consent pages are sent with X-Frame-Options: DENY and Content-Security-Policy default-src 'none', frame-ancestors 'none', form-action 'self', base-uri 'none', and their own style and script allowed by hash; Referrer-Policy: same-origin; Cache-Control: no-store.",
    source: 'mock',
    reason: 'A framed consent page could be clickjacked into an Approve; nothing but the page\'s own code runs on it.',
    operations: CONSENT,
  },
  {
    id: 'consent-deny-page',
    resource: 'control',
    summary: 'After Deny, the page says access was denied and that no credential key was issued, and posts access_denied to the opener.',
    source: 'mock',
    reason: 'The page used to tell the user to copy a key that did not exist.',
    operations: ['decideConsent'],
  },
  {
    id: 'consent-message-origins',
    resource: 'control',
    summary: 'The consent outcome is posted to the opener only at the API\'s --cors origins when they are a list; with --cors * (the default) or off, to any opener.',
    source: 'mock',
    reason: 'When the operator named the app\'s origins, a credential key has no reason to reach a window of any other.',
    operations: ['decideConsent'],
  },
  {
    id: 'strict-mode-scope',
    resource: 'control',
    summary: 'Strict mode (--jwt-secret) covers /v1 only; /__mock is covered by the control token, which strict mode requires.',
    source: 'mock',
    reason: 'The control plane is the mock\'s own and has no tenant: a Fruxon JWT says nothing about who may reset the mock.',
    operations: ['*', ...CONTROL_OPERATIONS],
  },
  {
    id: 'inspector-same-origin',
    resource: 'control',
    summary:
      'The inspector at /__mock is a static page, script and style served without the token (they hold no data) under a CSP of its own origin only, no framing and no inline script; its data comes from /__mock endpoints with the token, which the page asks for once and keeps in the tab.',
    source: 'mock',
    reason:
      'A browser\'s address bar cannot send a bearer token, so the page itself must load without one; keeping every record out of it means the token still guards all data, and the foreign-origin check still refuses a page of another site.',
    operations: ['getInspector', 'getInspectorScript', 'getInspectorStyle', 'getOverview'],
  },
  // The test kit (src/control/faults.ts, latency.ts, verify.ts, control.ts; docs/control-plane.md).
  {
    id: 'prefer-any-5xx',
    resource: 'control',
    summary:
      'Prefer: code= takes any status the operation documents, or any 5xx (answered as a ProblemDetails); any other status is a 422 that lists the documented statuses and says any 5xx is accepted too.',
    source: 'mock',
    reason: 'An outage (502, 503, 504) can hit any operation though none documents it; an undocumented 4xx would be a shape the real API never sends.',
    operations: ['*'],
  },
  {
    id: 'stub-answers-in-place',
    resource: 'control',
    summary:
      'A stub answers matching requests with its status (any from 200 to 599), headers and JSON body exactly as written, unvalidated, with X-Mock-Stub: <id>; the handler does not run, so nothing is stored. Authentication and body parsing still come first.',
    source: 'mock',
    reason: 'A test author stubs a response the store cannot produce (an odd page, a field a newer API sends); checking it against the spec would defeat the purpose.',
    operations: ['*', 'addStub'],
  },
  {
    id: 'rule-order',
    resource: 'control',
    summary:
      'Fault rules and stubs form one list: the highest priority first (-1000 to 1000, 0 by default), then the order they were added; the first whose operation, path, tenant and bodyMatches (a partial match of the JSON body) fit answers, and uses one of its times. A Prefer header wins over every rule and uses none up.',
    source: 'mock',
    reason: 'WireMock\'s order: a general rule added first can be overridden per test by a specific one with a higher priority.',
    operations: ['*', 'addFault', 'addStub'],
  },
  {
    id: 'rules-checked-alike',
    resource: 'control',
    summary:
      'addFault, addStub, verify and setLatency in-process and POST /__mock/faults, /stubs, /verify and PUT /__mock/latency run the same checks: a rule of the wrong shape is a 400 VALIDATION_FAILED naming each field, one that cannot apply a 422, with the same detail both ways (MockControlError in-process and from mockClient).',
    source: 'mock',
    reason: 'A rule that works in a unit test must work from a globalSetup over HTTP, and fail with the same message when it does not.',
    operations: ['addFault', 'addStub', 'verifyRequests', 'setLatency'],
  },
  {
    id: 'latency-seeded-jitter',
    resource: 'control',
    summary:
      'With --delay/--jitter (startMock({ latency }), PUT /__mock/latency) every API request waits delay plus 0 to jitter ms more, or its operation\'s own settings, before any fault delay; the jitter sequence depends only on --seed and restarts at a full reset.',
    source: 'mock',
    reason: 'Slow-network tests must be reproducible like the rest of the mock; a generator of its own keeps ids and faked fields unchanged whatever the latency.',
    operations: ['*', 'getLatency', 'setLatency'],
  },
  {
    id: 'verify-with-diff',
    resource: 'control',
    summary:
      'verify (POST /__mock/verify) passes when as many journal entries as times asks (at least 1 by default) match the filter and bodyMatches; otherwise a 422 VERIFICATION_FAILED (MockVerificationError) whose message says what was expected and lists up to 10 near misses, each with the first field that differed.',
    source: 'mock',
    reason: 'A failed expectation should say what the code under test sent instead, as WireMock\'s near misses do.',
    operations: ['verifyRequests'],
  },
  {
    id: 'journal-unknown-operation',
    resource: 'control',
    summary: 'A journal filter or verification naming an operation id the API spec does not have is a 400 problem, not an empty list.',
    source: 'mock',
    reason: 'A misspelt operation id would otherwise make an assertion of "no such request" pass for the wrong reason.',
    operations: ['listRequests', 'verifyRequests'],
  },
  {
    id: 'journal-size-and-drops',
    resource: 'control',
    summary:
      'The journal keeps the newest 200 requests (--journal-size, startMock({ journalSize })) and at most 32 MiB of their text; GET /__mock/requests reports how many older entries it dropped since it was last cleared, and a verification that fails says so when it dropped any.',
    source: 'mock',
    reason:
      'Each entry outlives V8\'s young generation, so the journal sets how fast the old one fills: with 1,000 entries a server holding 10,000 configs peaked above 150 MB under load, with 200 at 136 MB. A count of drops keeps a verification that needed older requests from failing without saying why.',
    operations: ['listRequests', 'verifyRequests'],
  },
  {
    id: 'baseline-reset',
    resource: 'control',
    summary:
      'With a baseline (--baseline FILE, startMock({ baseline }), PUT /__mock/baseline) a full reset restores it, its id sequence included, and a tenant reset restores that tenant\'s records; a new or empty store starts from it, and a store file that already holds records keeps them. A redacted GET /__mock/state export is a valid baseline.',
    source: 'mock',
    reason: 'Tests share a known starting state without re-importing it before each one; a store a developer has worked on is never overwritten at start.',
    operations: ['resetMock', 'setBaseline', 'clearBaseline'],
  },
  {
    id: 'close-grace',
    resource: 'control',
    summary: 'close() gives in-flight requests (delayed ones too) up to 3 s, then cuts them; close({ force: true }) cuts them at once. SIGTERM and SIGINT close the CLI the same way.',
    source: 'mock',
    reason: 'vitest\'s hook timeout is 10 s: a mock holding a 60 s delayed request must not turn afterAll into a timeout.',
    operations: ['*'],
  },
  {
    id: 'console-request-log',
    resource: 'control',
    summary:
      'The CLI prints one line per request outside /__mock (off with --no-log; off by default in startMock): method, URL, status, duration, operation id, the rule that answered, and for a 4xx the first validation error or the detail; a CORS preflight that got no CORS headers says why.',
    source: 'mock',
    reason: 'A frontend developer watches the console, not the journal.',
    operations: ['*'],
  },
  {
    id: 'store-file-kinds',
    resource: 'control',
    summary: 'An empty --db file is a new store; a JSON file with no meta block and none of the store\'s collections (a json-server db.json) is refused at start, saying it is not a fruxon-mock store, and left untouched.',
    source: 'mock',
    reason: '`touch data.json` should just work, and pointing the mock at another tool\'s data must never overwrite it.',
    operations: ['*'],
  },
  {
    id: 'demo-tenant',
    resource: 'control',
    summary:
      '--demo (startMock({ demo: true })) starts with tenant acme, made by sending the API\'s own requests to a private in-memory mock with the same seed on a fixed clock: the same seed gives the same demo. It is the baseline (a reset goes back to it); a store file that already holds records keeps them.',
    source: 'mock',
    reason: 'A demo must look lived-in and be reproducible; building it through the API means every record is one the API itself could have made.',
    operations: ['resetMock'],
  },
];
