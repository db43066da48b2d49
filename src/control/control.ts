import { RouteTable } from '../http/routes.js';
import { loadSpec } from '../spec.js';
import type { Store } from '../store/store.js';
import { FaultRules } from './faults.js';
import { DEFAULT_LOG_BYTES, DEFAULT_LOG_SIZE, RequestLog } from './request-log.js';
import { DocumentedResponses } from './responses.js';

/**
 * What the mock keeps besides the store: the spec's route table (the one the API dispatches on), the request
 * log and the fault rules.
 */
export class ControlState {
  readonly routes: RouteTable;
  readonly journal: RequestLog;
  readonly faults: FaultRules;
  readonly responses: DocumentedResponses;

  constructor(options: { journalSize?: number; journalBytes?: number } = {}) {
    const spec = loadSpec();
    this.routes = new RouteTable(spec);
    this.responses = new DocumentedResponses(spec);
    this.journal = new RequestLog(options.journalSize ?? DEFAULT_LOG_SIZE, options.journalBytes ?? DEFAULT_LOG_BYTES);
    this.faults = new FaultRules(this.routes, this.responses);
  }

  /**
   * Back to a freshly started mock: the store empties (the catalog comes from the fixtures and is always
   * there), the journal and the fault rules are cleared. With a tenant, only that tenant's records, journal
   * entries and tenant-scoped rules go; the sequence goes on, so ids are never handed out twice.
   */
  async reset(store: Store, tenant?: string): Promise<void> {
    if (tenant === undefined) await store.reset();
    else await store.resetTenant(tenant);
    this.journal.clear(tenant);
    this.faults.clear(tenant);
  }
}
