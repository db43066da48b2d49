import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { ServiceDeps } from '../deps.js';
import { problem } from '../http/problems.js';
import { mintOAuthCredentialKey, resolveOAuthGrant, type MintRequest } from '../resources/oauth/keys.js';
import { renderConsentPage, renderOutcomePage, type ConsentMessage, type HtmlPage } from './consent.js';

/** A consent page shown and not yet decided: what it asks for, and the CSRF token its form carries. */
type PendingConsent = { csrf: string; request: Required<MintRequest>; config: string | null; openedAt: number };

/** How many undecided consent pages are remembered (the oldest are forgotten first), and for how long. */
const MAX_PENDING = 1000;
const PENDING_TTL_MS = 60 * 60 * 1000;

/**
 * `consent-csrf-token`: each consent page opens a pending authorization, server-side, with a random CSRF
 * token; its form posts only their two values and the decision, so what is granted is what the page
 * showed. A post without the matching token of a pending authorization is a 403 and mints nothing; a
 * decision closes the authorization, so a page is decided once.
 */
export class PendingConsents {
  private readonly pending = new Map<string, PendingConsent>();

  constructor(private readonly now: () => number = Date.now) {}

  open(request: Required<MintRequest>, config: string | null): { consent: string; csrf: string } {
    this.forgetExpired();
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const consent = randomBytes(12).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    this.pending.set(consent, { csrf, request, config, openedAt: this.now() });
    return { consent, csrf };
  }

  /** The pending authorization `consent` names, when `csrf` is its token; it is closed by being taken. */
  take(consent: string | undefined, csrf: string | undefined): PendingConsent | undefined {
    this.forgetExpired();
    const entry = consent === undefined ? undefined : this.pending.get(consent);
    if (!entry || csrf === undefined || !sameText(csrf, entry.csrf)) return undefined;
    this.pending.delete(consent!);
    return entry;
  }

  private forgetExpired(): void {
    const cutoff = this.now() - PENDING_TTL_MS;
    for (const [consent, entry] of this.pending) {
      if (entry.openedAt >= cutoff) break;
      this.pending.delete(consent);
    }
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

type Query = Record<string, string | undefined>;

/**
 * The simulated provider consent page (`GET /oauth/authorize`, what `authorizationUrl` opens) and its
 * decision (`POST /oauth/authorize`), on the control router. `messageOrigins` are the origins the outcome
 * is posted to: the API's CORS origins, or `*` when any origin may use the API.
 */
export function addConsentRoutes(router: Router, services: ServiceDeps, messageOrigins: readonly string[]): void {
  // Wall-clock time: how long a page stays open is about the user, not the mock's logical clock.
  const consents = new PendingConsents();

  router.get('/oauth/authorize', (req, res) => {
    const q = req.query as Query;
    const request = {
      tenant: q.tenant!,
      integrationId: q.integration!,
      ...(q.method && { authMethodId: q.method }),
      scopes: (q.scopes ?? '').split(' ').filter(Boolean),
    };
    const grant = resolveOAuthGrant(services, request);
    const config = q.config || null;
    const form = consents.open({ tenant: request.tenant, integrationId: grant.integration.id, authMethodId: grant.method.id, scopes: grant.scopes }, config);
    sendPage(res, renderConsentPage({ tenant: request.tenant, grant, config }, form));
  });

  router.post('/oauth/authorize', async (req: Request, res) => {
    const form = req.body as Query;
    const pending = consents.take(form.consent, form.csrf);
    if (!pending) {
      throw problem(
        'consentTokenInvalid',
        'This consent form was not issued by this mock, was already decided, or has expired: open the authorizationUrl again.',
      );
    }
    const { request, config } = pending;
    const who = { tenant: request.tenant, integrationId: request.integrationId, authMethodId: request.authMethodId, configId: config };
    let message: ConsentMessage;
    if (form.decision === 'approve') {
      const record = await mintOAuthCredentialKey(services, request);
      message = { type: 'fruxon-oauth', status: 'success', credentialKey: record.key, scopes: record.scopes, ...who };
    } else {
      message = { type: 'fruxon-oauth', status: 'error', error: 'access_denied', errorDescription: 'The user denied access.', ...who };
    }
    sendPage(res, renderOutcomePage(message, messageOrigins));
  });
}

function sendPage(res: Response, page: HtmlPage): void {
  res.type('html').set(page.headers).send(page.html);
}
