import type { ServiceDeps } from '../../deps.js';
import { problem, type FieldErrors } from '../../http/problems.js';
import { providerAnswerKey } from '../../store/store.js';
import type { ProviderAnswerRecord } from '../../store/types.js';

/**
 * What a dispatch reports. The docs show `NO_CHANNEL` and `DISABLED`; `SENT` (the provider took the message)
 * and `FAILED` (the provider refused it) are the mock's (rule dispatch-outcome-values).
 */
export const DISPATCH_OUTCOMES = ['UNSPECIFIED', 'SENT', 'NO_CHANNEL', 'DISABLED', 'FAILED'] as const;
export type DispatchOutcome = (typeof DISPATCH_OUTCOMES)[number];

export type DispatchResult = {
  outcome: DispatchOutcome;
  providerMessageId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
};

/** One send the simulated provider is asked to make. */
export type ProviderSend = { tenant: string; integrationConfigId: string; provider: string; address: string; message: string | null };

/**
 * Rule provider-answers-scripted: the answer scripted for the address, else a success whose message id is
 * faked from the seed and what was sent (so the same send gets the same id).
 */
export function answerSend(deps: ServiceDeps, send: ProviderSend): DispatchResult {
  const scripted = deps.store.findProviderAnswer(send.tenant, send.address);
  if (scripted) {
    return {
      outcome: scripted.outcome as DispatchOutcome,
      providerMessageId: scripted.outcome === 'SENT' ? messageId(deps, send) : null,
      errorCode: scripted.errorCode,
      errorMessage: scripted.errorMessage,
    };
  }
  return { outcome: 'SENT', providerMessageId: messageId(deps, send), errorCode: null, errorMessage: null };
}

function messageId(deps: ServiceDeps, send: ProviderSend): string {
  const seed = `${send.tenant}:${send.integrationConfigId}:${send.address}:${send.message ?? ''}`;
  const faker = deps.generator.fakerFor(seed, 'provider-message');
  return send.provider === 'slack' ? `${faker.number.int({ min: 1_600_000_000, max: 1_999_999_999 })}.${faker.string.numeric(6)}` : String(faker.number.int({ min: 1, max: 999_999 }));
}

export type ProviderAnswerInput = {
  tenant: string;
  address: string;
  outcome?: string;
  errorCode?: string | null;
  errorMessage?: string | null;
};

/** Scripts (or replaces) what the provider answers sends to one address of a tenant. */
export async function scriptProviderAnswer(deps: ServiceDeps, input: ProviderAnswerInput): Promise<ProviderAnswerRecord> {
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  if (typeof input.tenant !== 'string' || input.tenant === '') errors.tenant = ['is required'];
  if (typeof input.address !== 'string' || input.address === '') errors.address = ['is required'];
  const outcome = input.outcome ?? 'FAILED';
  if (!(DISPATCH_OUTCOMES as readonly string[]).includes(outcome)) errors.outcome = [`must be one of ${DISPATCH_OUTCOMES.join(', ')}`];
  if (Object.keys(errors).length > 0) throw problem('validation', 'The provider answer is not valid.', { errors });
  const failed = outcome !== 'SENT';
  const record: ProviderAnswerRecord = {
    id: providerAnswerKey(input.tenant, input.address),
    tenant: input.tenant,
    address: input.address,
    outcome,
    errorCode: input.errorCode ?? (failed ? 'PROVIDER_REJECTED' : null),
    errorMessage: input.errorMessage ?? (failed ? 'The provider refused the message (scripted).' : null),
    createdAt: deps.clock(),
  };
  await deps.store.mutate(() => deps.store.putProviderAnswer(record));
  return record;
}

/** Removes the scripted answers of a tenant, or every tenant's. Returns how many went. */
export async function clearProviderAnswers(deps: ServiceDeps, tenant?: string): Promise<number> {
  const answers = deps.store.listProviderAnswers(tenant);
  if (answers.length === 0) return 0;
  await deps.store.mutate(() => answers.forEach((a) => deps.store.deleteProviderAnswer(a.id)));
  return answers.length;
}
