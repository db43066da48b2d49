import type { Catalog } from './catalog/types.js';
import type { Clock, Generator } from './generate/generator.js';
import type { Store } from './store/store.js';

/** Everything a resource's handlers may use: the state, the fixtures, and the seeded sources of ids and time. */
export type ServiceDeps = {
  store: Store;
  catalog: Catalog;
  generator: Generator;
  clock: Clock;
  /** How long a soft-deleted agent can be restored before it is purged (`--agent-delete-grace`); the default when absent. */
  agentDeleteGraceMs?: number;
};
