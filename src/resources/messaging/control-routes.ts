import type { Router } from 'express';
import type { ServiceDeps } from '../../deps.js';
import { clearProviderAnswers, scriptProviderAnswer, type ProviderAnswerInput } from './provider.js';
import { inboundFromControl, receiveInbound } from './inbound.js';
import { toAccessRequestView } from './view.js';
import type { ProviderAnswerRecord } from '../../store/types.js';

/** `/__mock/provider-answers` and `/__mock/inbound-messages` (spec/control.yaml, tag Messaging). */
export function addMessagingControlRoutes(router: Router, services: ServiceDeps): void {
  router.post('/provider-answers', async (req, res) => {
    res.status(201).json(toAnswerView(await scriptProviderAnswer(services, req.body as ProviderAnswerInput)));
  });

  router.get('/provider-answers', (req, res) => {
    const tenant = typeof req.query.tenant === 'string' ? req.query.tenant : undefined;
    res.json({ items: services.store.listProviderAnswers(tenant).map(toAnswerView) });
  });

  router.delete('/provider-answers', async (req, res) => {
    await clearProviderAnswers(services, typeof req.query.tenant === 'string' ? req.query.tenant : undefined);
    res.status(204).end();
  });

  router.post('/inbound-messages', async (req, res) => {
    res.json(await simulateInbound(services, req.body));
  });
}

/** `POST /__mock/inbound-messages` and `mock.simulateInboundMessage`: the message checked, received, and shown. */
export async function simulateInbound(services: ServiceDeps, body: unknown) {
  const outcome = await receiveInbound(services, inboundFromControl(body));
  return { delivered: outcome.delivered, accessRequests: outcome.accessRequests.map(toAccessRequestView) };
}

/** A scripted provider answer as the control plane shows it. */
export function toAnswerView(record: ProviderAnswerRecord) {
  const { id: _id, ...view } = record;
  return view;
}
