import type { StoreData } from '../store/types.js';
import { REDACTED, redact, type SecretNames } from './request-log.js';

/**
 * The store as `GET /__mock/state` exports it without `includeSecrets`: credential values redacted (see
 * `redact`), and `state-hides-unused-oauth-keys`: an OAuth credential key not yet consumed is a bearer
 * secret (it connects a config once), so it is hidden in its record and as the record's name, which
 * becomes `[redacted]-1`, `[redacted]-2`, … in store order. Consumed keys can no longer be used and stay.
 */
export function redactState(snapshot: StoreData, secretParameters: SecretNames): StoreData {
  const redacted = redact(snapshot, secretParameters) as StoreData;
  if (!redacted.oauthKeys) return redacted;
  let hidden = 0;
  const oauthKeys: StoreData['oauthKeys'] = {};
  for (const [key, record] of Object.entries(redacted.oauthKeys)) {
    if (record.consumedAt !== null) {
      oauthKeys[key] = record;
      continue;
    }
    const name = `${REDACTED}-${++hidden}`;
    oauthKeys[name] = { ...record, key: name };
  }
  return { ...redacted, oauthKeys };
}
