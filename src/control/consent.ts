import { createHash } from 'node:crypto';
import type { OAuthGrant } from '../resources/oauth/keys.js';

/** What a consent page is for: the grant the user is asked to approve, and the config being connected. */
export type ConsentRequest = { tenant: string; grant: OAuthGrant; config: string | null };

/**
 * What the popup posts to `window.opener` when the user decides, and closes itself: the message a frontend
 * listens for to finish its connect flow.
 */
export type ConsentMessage =
  | {
      type: 'fruxon-oauth';
      status: 'success';
      credentialKey: string;
      tenant: string;
      integrationId: string;
      authMethodId: string;
      scopes: string[];
      configId: string | null;
    }
  | {
      type: 'fruxon-oauth';
      status: 'error';
      error: 'access_denied';
      errorDescription: string;
      tenant: string;
      integrationId: string;
      authMethodId: string;
      configId: string | null;
    };

/** The simulated provider consent screen: Approve or Deny, posted back to the mock as a form. */
export function renderConsentPage({ tenant, grant }: ConsentRequest, form: ConsentForm): HtmlPage {
  return page(
    `Authorize ${grant.integration.displayName}`,
    `<h1>Connect ${escape(grant.integration.displayName)}</h1>
<p>fruxon-mock is standing in for the ${escape(grant.integration.displayName)} consent screen
(${escape(grant.method.displayName)}) for tenant <strong>${escape(tenant)}</strong>.</p>
<p>Requested scopes:</p>
<ul id="scopes">${grant.scopes.map((s) => `<li>${escape(s)}</li>`).join('') || '<li>(none)</li>'}</ul>
<form method="post" action="authorize">
<input type="hidden" name="consent" value="${escape(form.consent)}">
<input type="hidden" name="csrf" value="${escape(form.csrf)}">
<button id="approve" name="decision" value="approve" type="submit">Approve</button>
<button id="deny" name="decision" value="deny" type="submit">Deny</button>
</form>`,
  );
}

/**
 * The page the decision lands on: it hands `message` to the opener and closes the popup. `targetOrigins`
 * are the origins the message may go to (`*` when any page may use the API).
 */
export function renderOutcomePage(message: ConsentMessage, targetOrigins: readonly string[]): HtmlPage {
  const approved = message.status === 'success';
  const json = JSON.stringify(message).replace(/</g, '\\u003c');
  const targets = JSON.stringify(targetOrigins).replace(/</g, '\\u003c');
  // consent-deny-page: after Deny the page says so, and offers no key.
  const body = approved
    ? `<h1 id="outcome" data-status="success">Connected</h1>
<p>Credential key: <code id="credential-key">${escape(message.credentialKey)}</code> (single use)</p>
<p id="delivery">No opener window: copy the key from here.</p>`
    : `<h1 id="outcome" data-status="error">Access denied</h1>
<p>${escape(message.errorDescription)} No credential key was issued; the app that opened this window has been told.</p>
<p id="delivery">No opener window: nothing more to do here, close this window.</p>`;
  const script = `const message = ${json};
if (window.opener) {
  for (const origin of ${targets}) window.opener.postMessage(message, origin);
  document.getElementById('delivery').textContent = 'Handed to the opener window.';
  window.close();
}`;
  return page(approved ? 'Connected' : 'Not connected', `${body}\n<script>${script}</script>`, script);
}

/** A page and the headers it must be sent with. */
export type HtmlPage = { html: string; headers: Record<string, string> };

/** What the consent form posts back besides the decision: the pending authorization and its CSRF token. */
export type ConsentForm = { consent: string; csrf: string };

const STYLE = `body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
button { font: inherit; padding: .5rem 1.25rem; margin-right: .5rem; border-radius: .4rem; border: 1px solid #8c959f; cursor: pointer; }
#approve { background: #1f883d; color: #fff; border-color: #1f883d; }
code { word-break: break-all; }`;

/**
 * `consent-no-framing`: no page of the mock can be framed (clickjacking an Approve), and the only style and
 * script that run are the page's own, named by hash (the same bytes give the same headers).
 */
function securityHeaders(script: string | undefined): Record<string, string> {
  const sources = [
    "default-src 'none'",
    `style-src '${sha256(STYLE)}'`,
    ...(script === undefined ? [] : [`script-src '${sha256(script)}'`]),
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ];
  return {
    'Content-Security-Policy': sources.join('; '),
    'X-Frame-Options': 'DENY',
    // Not `no-referrer`: that would send `Origin: null` with the form post, which the origin check refuses.
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('base64')}`;
}

function page(title: string, body: string, script?: string): HtmlPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · fruxon-mock</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
  return { html, headers: securityHeaders(script) };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
