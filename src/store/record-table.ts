/** Records are packed into chunks this large; a longer record gets a chunk of its own. */
const CHUNK_BYTES = 1 << 20;

/** Bytes before a record's text in its chunk: the text's length, as a 32-bit integer. */
const LENGTH_BYTES = 4;

/** Dead bytes are reclaimed once there are this many, and as many as live ones. */
const RECLAIM_AFTER_BYTES = 8 * 1024 * 1024;

/** How many records read lately are kept parsed, so reading them again costs no JSON.parse. */
const HOT_RECORDS = 2048;

/**
 * One collection's records by key, each held as its compact JSON (`JSON.stringify(record)`) in UTF-8, packed
 * into 1 MB chunks outside the JavaScript heap. What stays on the heap is the key and a number saying where
 * the text is: ~120 bytes a record instead of the ~700-1,000 bytes of a record's objects, so the heap V8 marks
 * (and lets grow to a multiple of itself between full collections) stays small as records pile up.
 *
 * A read returns the record parsed and deeply frozen, so no caller can change what is stored except through
 * `set`; the last HOT_RECORDS records read stay parsed, since a client reads back what it just wrote. A replaced or
 * removed record's bytes stay in their chunk until the chunk holds nothing live (then it is dropped) or dead
 * bytes outnumber live ones (then every record is copied into fresh chunks). Keys keep the order they were
 * first set in.
 */
export class RecordTable {
  /** Where each record's text is: its chunk's index times CHUNK_BYTES, plus its offset in the chunk. */
  private readonly places = new Map<string, number>();
  private chunks: (Buffer | undefined)[] = [];
  /** Bytes written into each chunk, and how many of them are still live, so an emptied chunk is dropped at once. */
  private used: number[] = [];
  private live: number[] = [];
  private liveBytes = 0;
  private deadBytes = 0;
  /** Where the next record goes in the last chunk. */
  private offset = 0;
  /** Records read lately, parsed and frozen, oldest first. */
  private readonly hot = new Map<string, unknown>();

  get size(): number {
    return this.places.size;
  }

  /** Bytes held: texts with their length prefixes (live), bytes of replaced or removed ones not yet reclaimed (dead), chunks. */
  get usage(): { live: number; dead: number; chunks: number } {
    return { live: this.liveBytes, dead: this.deadBytes, chunks: this.chunks.filter(Boolean).length };
  }

  has(key: string): boolean {
    return this.places.has(key);
  }

  /** The record, deeply frozen, or undefined when there is none. */
  get<R = unknown>(key: string): R | undefined {
    const hot = this.hot.get(key);
    if (hot !== undefined) return hot as R;
    const text = this.text(key);
    if (text === undefined) return undefined;
    const record = deepFreeze(JSON.parse(text));
    if (this.hot.size >= HOT_RECORDS) this.hot.delete(this.hot.keys().next().value!);
    this.hot.set(key, record);
    return record as R;
  }

  /** A fresh, unfrozen copy of the record that is not kept hot (for scans over every record), or undefined. */
  copy<R = unknown>(key: string): R | undefined {
    const text = this.text(key);
    return text === undefined ? undefined : (JSON.parse(text) as R);
  }

  /** The record's compact JSON, or undefined when there is none. */
  text(key: string): string | undefined {
    const place = this.places.get(key);
    if (place === undefined) return undefined;
    const chunk = this.chunks[Math.floor(place / CHUNK_BYTES)]!;
    const start = place % CHUNK_BYTES;
    const length = chunk.readUInt32LE(start);
    return chunk.toString('utf8', start + LENGTH_BYTES, start + LENGTH_BYTES + length);
  }

  /** Stores `text`, which must be the compact JSON of a record, under `key`. */
  set(key: string, text: string): void {
    const length = Buffer.byteLength(text);
    const size = LENGTH_BYTES + length;
    this.hot.delete(key);
    this.release(key);
    const index = this.reserve(size);
    const chunk = this.chunks[index]!;
    chunk.writeUInt32LE(length, this.offset);
    chunk.write(text, this.offset + LENGTH_BYTES, length, 'utf8');
    this.places.set(key, this.advance(index, size));
    if (this.deadBytes >= RECLAIM_AFTER_BYTES && this.deadBytes > this.liveBytes) this.repack();
  }

  delete(key: string): boolean {
    this.hot.delete(key);
    const had = this.release(key);
    this.places.delete(key);
    return had;
  }

  keys(): IterableIterator<string> {
    return this.places.keys();
  }

  /** Every record, as fresh copies (see `copy`), in key order. */
  *entries<R = unknown>(): IterableIterator<[string, R]> {
    for (const key of this.places.keys()) yield [key, this.copy<R>(key)!];
  }

  /** The chunk the next `size` bytes go into: the last one, or a new one when they do not fit there. */
  private reserve(size: number): number {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.offset + size <= this.chunks[last]!.length) return last;
    // A record bigger than a chunk gets one of its own, at offset 0, so its place still decodes.
    this.chunks.push(Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, size)));
    this.used.push(0);
    this.live.push(0);
    this.offset = 0;
    return last + 1;
  }

  /** Counts `size` bytes just written at the offset into chunk `index` as live; returns their place. */
  private advance(index: number, size: number): number {
    const place = index * CHUNK_BYTES + this.offset;
    this.offset += size;
    this.used[index] = this.offset;
    this.live[index]! += size;
    this.liveBytes += size;
    return place;
  }

  /** Counts the record's bytes as dead; true when there was one. */
  private release(key: string): boolean {
    const place = this.places.get(key);
    if (place === undefined) return false;
    const index = Math.floor(place / CHUNK_BYTES);
    const chunk = this.chunks[index]!;
    const size = LENGTH_BYTES + chunk.readUInt32LE(place % CHUNK_BYTES);
    this.live[index]! -= size;
    this.liveBytes -= size;
    this.deadBytes += size;
    if (this.live[index] === 0 && index !== this.chunks.length - 1) {
      // Nothing live is left in it: let it go now rather than at the next repack.
      this.chunks[index] = undefined;
      this.deadBytes -= this.used[index]!;
      this.used[index] = 0;
    }
    return true;
  }

  /** Copies every live record's bytes into fresh chunks, in key order, and drops the old chunks. */
  private repack(): void {
    const { chunks, places } = this;
    this.chunks = [];
    this.used = [];
    this.live = [];
    this.liveBytes = 0;
    this.deadBytes = 0;
    this.offset = 0;
    // The hot records stay: repacking moves bytes, not what they say.
    for (const [key, place] of places) {
      const chunk = chunks[Math.floor(place / CHUNK_BYTES)]!;
      const start = place % CHUNK_BYTES;
      const size = LENGTH_BYTES + chunk.readUInt32LE(start);
      const index = this.reserve(size);
      chunk.copy(this.chunks[index]!, this.offset, start, start + size);
      places.set(key, this.advance(index, size));
    }
  }
}

/** Freezes a parsed JSON value and everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
