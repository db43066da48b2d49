import type { AccessRequestRecord } from '../../store/types.js';

/** An access request as the API shows it: the row, less the tenant key. */
export function toAccessRequestView(record: AccessRequestRecord) {
  const { tenant: _tenant, ...view } = record;
  return view;
}
