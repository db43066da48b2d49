import { RouteTable } from '../http/routes.js';
import { loadSpec } from '../spec.js';
import type { Store } from '../store/store.js';
import { FaultRules } from './faults.js';
import { DEFAULT_JOURNAL_SIZE, Journal } from './journal.js';
import { DocumentedResponses } from './responses.js';

/** What the control plane keeps besides the store: the request journal and the fault rules. */
export class ControlState {
  readonly journal: Journal;
  readonly faults: FaultRules;
  readonly responses: DocumentedResponses;

  constructor(options: { journalSize?: number } = {}) {
    const spec = loadSpec();
    this.responses = new DocumentedResponses(spec);
    this.journal = new Journal(options.journalSize ?? DEFAULT_JOURNAL_SIZE);
    this.faults = new FaultRules(new RouteTable(spec), this.responses);
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
