/** Marks a record that is not there, before a create or after a removal. */
export const ABSENT: unique symbol = Symbol('absent');
export type Slot = unknown | typeof ABSENT;

/**
 * A secondary index over one collection: record keys grouped by a value derived from each record (say its
 * tenant and integration), in the order they were first stored, so a list costs O(its length), not O(store).
 */
export class Index {
  private readonly groups = new Map<string, Set<string>>();
  /** The key each group gained last, so the newest record of a group costs O(1). */
  private readonly lastKeys = new Map<string, string>();

  constructor(
    readonly collection: string,
    private readonly groupOf: (record: never) => string,
    /** How the store finds it: the collection's name unless the collection has several indexes. */
    readonly name: string = collection,
  ) {}

  /** The keys in one group; empty when there are none. */
  keys(group: string): Iterable<string> {
    return this.groups.get(group) ?? [];
  }

  /** The key stored last in one group (the newest record), if the group has any. */
  last(group: string): string | undefined {
    return this.lastKeys.get(group);
  }

  /** Follows one record from `before` to `after` (either may be ABSENT). */
  move(key: string, before: Slot, after: Slot): void {
    const from = before === ABSENT ? undefined : this.groupOf(before as never);
    const to = after === ABSENT ? undefined : this.groupOf(after as never);
    if (from === to) return;
    if (from !== undefined) {
      const group = this.groups.get(from);
      group?.delete(key);
      if (group?.size === 0) this.groups.delete(from);
      // Only a removal of the newest record walks the group, to find the one before it.
      if (this.lastKeys.get(from) === key) {
        let newest: string | undefined;
        for (const remaining of group ?? []) newest = remaining;
        if (newest === undefined) this.lastKeys.delete(from);
        else this.lastKeys.set(from, newest);
      }
    }
    if (to !== undefined) {
      let group = this.groups.get(to);
      if (!group) this.groups.set(to, (group = new Set()));
      if (!group.has(key)) {
        group.add(key);
        this.lastKeys.set(to, key);
      }
    }
  }

  /** Rebuilds the index from a whole collection. */
  rebuild(records: Iterable<[string, unknown]>): void {
    this.groups.clear();
    this.lastKeys.clear();
    for (const [key, record] of records) this.move(key, ABSENT, record);
  }
}
