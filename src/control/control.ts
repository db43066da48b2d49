import { RouteTable } from '../http/routes.js';
import { problem } from '../http/problems.js';
import { loadSpec } from '../spec.js';
import { StateError, describeInvalidState, type Store } from '../store/store.js';
import { describeStaleSequence } from '../store/schema.js';
import type { StoreData } from '../store/types.js';
import { FaultRules } from './faults.js';
import { Latency, Waits, type LatencySettings } from './latency.js';
import { DEFAULT_LOG_BYTES, DEFAULT_LOG_SIZE, RequestLog, type LoggedRequest, type RequestFilter } from './request-log.js';
import { DocumentedResponses } from './responses.js';

export type ControlOptions = {
  journalSize?: number;
  journalBytes?: number;
  /** Seeds the latency's jitter. */
  seed?: number;
  /** The latency the mock starts with, and goes back to on reset. */
  latency?: LatencySettings;
  /** The id the mock hands out for a sequence number: a baseline that would see its ids handed out again is refused. */
  idOf?: (sequence: number) => string;
};

/**
 * What the mock keeps besides the store: the spec's route table (the one the API dispatches on), the request
 * log, the fault rules and stubs, the latency, and the baseline a reset goes back to.
 */
export class ControlState {
  readonly routes: RouteTable;
  readonly journal: RequestLog;
  readonly faults: FaultRules;
  readonly responses: DocumentedResponses;
  readonly latency: Latency;
  /** Timers of delayed requests, ended at once when the server closes. */
  readonly waits = new Waits();
  private baselineState: StoreData | undefined;
  private readonly idOf: ((sequence: number) => string) | undefined;

  constructor(options: ControlOptions = {}) {
    const spec = loadSpec();
    this.routes = new RouteTable(spec);
    this.responses = new DocumentedResponses(spec);
    this.journal = new RequestLog(options.journalSize ?? DEFAULT_LOG_SIZE, options.journalBytes ?? DEFAULT_LOG_BYTES);
    this.faults = new FaultRules(this.routes, this.responses);
    this.latency = new Latency(options.seed ?? 1, options.latency, (operationId) => this.responses.has(operationId));
    this.idOf = options.idOf;
  }

  /**
   * Makes `snapshot` the state a reset goes back to (undefined: back to empty), or throws StateError when it
   * is not a valid state, changing nothing. It does not touch the store: call `reset` to go there now. Every
   * source of a baseline (`--baseline FILE`, `startMock({ baseline })`, `PUT /__mock/baseline`, a generated
   * demo) comes in here.
   */
  setBaseline(snapshot: StoreData | undefined): void {
    if (snapshot === undefined) {
      this.baselineState = undefined;
      return;
    }
    const invalid = describeInvalidState(snapshot);
    if (invalid) throw new StateError(invalid.message);
    const stale = this.idOf && describeStaleSequence(snapshot, snapshot.meta.sequence, this.idOf);
    if (stale) throw new StateError(stale);
    this.baselineState = structuredClone(snapshot);
  }

  /** A copy of the baseline, or undefined when a reset empties the store. */
  baseline(): StoreData | undefined {
    return this.baselineState && structuredClone(this.baselineState);
  }

  /**
   * Back to a freshly started mock: the store goes back to the baseline (empty without one; the catalog
   * comes from the fixtures and is always there), the journal, the fault rules and stubs are cleared and the
   * latency is the one the mock started with. With a tenant, only that tenant's records (back to the
   * baseline's), journal entries and tenant-scoped rules; the sequence goes on, so ids are never handed out
   * twice.
   */
  async reset(store: Store, tenant?: string): Promise<void> {
    if (tenant === undefined) {
      await store.reset(this.baselineState);
      this.latency.reset();
    } else await store.resetTenant(tenant, this.baselineState);
    this.journal.clear(tenant);
    this.faults.clear({ tenant });
  }

  /** The journal, with `filter` checked: an operation id the spec does not have is a `validation` problem, not an empty list. */
  listRequests(filter: RequestFilter = {}): LoggedRequest[] {
    if (filter.operationId !== undefined && !this.responses.has(filter.operationId)) {
      throw problem('validation', `The API spec has no operation '${filter.operationId}', so no request can match it.`, {
        errors: { operationId: [`'${filter.operationId}' is not an operation of the API spec`] },
      });
    }
    return this.journal.list(filter);
  }
}
