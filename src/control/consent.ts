import type { OAuthGrant } from '../resources/oauth/keys.js';

/** What the consent form carries from the page to the decision. */
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
export function renderConsentPage({ tenant, grant, config }: ConsentRequest): string {
  const hidden = {
    tenant,
    integration: grant.integration.id,
    method: grant.method.id,
    scopes: grant.scopes.join(' '),
    ...(config ? { config } : {}),
  };
  return page(
    `Authorize ${grant.integration.displayName}`,
    `<h1>Connect ${escape(grant.integration.displayName)}</h1>
<p>fruxon-mock is standing in for the ${escape(grant.integration.displayName)} consent screen
(${escape(grant.method.displayName)}) for tenant <strong>${escape(tenant)}</strong>.</p>
<p>Requested scopes:</p>
<ul id="scopes">${grant.scopes.map((s) => `<li>${escape(s)}</li>`).join('') || '<li>(none)</li>'}</ul>
<form method="post" action="/__mock/oauth/authorize">
${Object.entries(hidden).map(([name, value]) => `<input type="hidden" name="${name}" value="${escape(value)}">`).join('\n')}
<button id="approve" name="decision" value="approve" type="submit">Approve</button>
<button id="deny" name="decision" value="deny" type="submit">Deny</button>
</form>`,
  );
}

/** The page the decision lands on: it hands `message` to the opener and closes the popup. */
export function renderOutcomePage(message: ConsentMessage): string {
  const approved = message.status === 'success';
  const json = JSON.stringify(message).replace(/</g, '\\u003c');
  return page(
    approved ? 'Connected' : 'Not connected',
    `<h1 id="outcome" data-status="${message.status}">${approved ? 'Connected' : 'Access denied'}</h1>
${approved ? `<p>Credential key: <code id="credential-key">${escape(message.credentialKey)}</code> (single use)</p>` : `<p>${escape(message.errorDescription)}</p>`}
<p id="delivery">No opener window: copy the key from here.</p>
<script>
const message = ${json};
if (window.opener) {
  window.opener.postMessage(message, '*');
  document.getElementById('delivery').textContent = 'Handed to the opener window.';
  window.close();
}
</script>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · fruxon-mock</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
button { font: inherit; padding: .5rem 1.25rem; margin-right: .5rem; border-radius: .4rem; border: 1px solid #8c959f; cursor: pointer; }
#approve { background: #1f883d; color: #fff; border-color: #1f883d; }
code { word-break: break-all; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
