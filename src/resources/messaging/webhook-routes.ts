import express, { type Router } from 'express';
import type { ServiceDeps } from '../../deps.js';
import { problem } from '../../http/problems.js';
import { findTenantIntegration } from '../catalog/integrations.js';
import { findConfigByWebhookKey } from '../configs/webhooks.js';
import { agentsReachableThrough } from './agents.js';
import { receiveInbound, senderOf } from './inbound.js';
import { toAccessRequestView } from './view.js';

/**
 * `POST /v1/webhooks/{integrationId}/{webhookKey}`: where the URLs `:generateWebhookUrl` mints point, so a
 * test (or a demo) plays the provider (rule inbound-webhook-url). The provider does not send the API's bearer
 * token: the key in the path is the credential. Errors are problem+json like the API's.
 */
export function webhookRouter(deps: ServiceDeps, bodyLimit: string | number): Router {
  const router = express.Router();
  router.use(express.json({ limit: bodyLimit, type: ['application/json', 'application/*+json'] }));
  router.post('/:integrationId/:webhookKey', async (req, res) => {
    const found = findConfigByWebhookKey(deps, String(req.params.integrationId), String(req.params.webhookKey));
    if (!found) throw problem('notFound', 'No webhook is registered at this URL (the key is unknown, rotated away, or its config was deleted).');
    const { tenant, config } = found;
    const body = req.body as Record<string, unknown> | undefined;
    // Slack checks a new Events API URL with a challenge it expects back.
    if (body?.type === 'url_verification' && typeof body.challenge === 'string') {
      res.json({ challenge: body.challenge });
      return;
    }
    const integration = findTenantIntegration(deps, tenant, config.integrationId)!;
    const sender = senderOf(integration.provider, body);
    if (!sender) throw problem('validation', `The payload is not a ${integration.displayName} message the mock understands (see docs/operations-messaging.md).`);
    const named = typeof req.query.agentId === 'string' && req.query.agentId !== '' ? [req.query.agentId] : undefined;
    const agents = named ?? agentsReachableThrough(deps, tenant, config.id);
    const delivered = [];
    const accessRequests = [];
    for (const agentId of agents) {
      const outcome = await receiveInbound(deps, { tenant, integrationConfigId: config.id, agentId, ...sender });
      delivered.push(...outcome.delivered);
      accessRequests.push(...outcome.accessRequests.map(toAccessRequestView));
    }
    res.json({ ok: true, delivered, accessRequests });
  });
  return router;
}
