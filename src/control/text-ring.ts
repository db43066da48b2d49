/** The buffer a ring starts with; it doubles whenever an entry does not fit beside the live ones. */
const INITIAL_BYTES = 64 * 1024;

/** UTF-8 takes at most three bytes for each UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * A queue of entries, each a fixed number of texts (or `undefined`s), held as UTF-8 in one buffer outside the
 * JavaScript heap that is reused in a circle: entries are added at the back and dropped from the front, and
 * an entry's bytes are overwritten only once it has been dropped. Nothing is allocated per entry on the heap,
 * so entries that live through several garbage collections cost none of them a copy.
 *
 * An entry never wraps around the end of the buffer: one that does not fit before the end starts again at 0
 * if the oldest live entry leaves room there, and otherwise the buffer grows and the live entries are copied
 * into it in order.
 */
export class TextRing {
  private buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** Where the next entry's bytes go. */
  private head = 0;
  /** The queue, itself circular: entry `i` (from the oldest) is at `(first + i) % room`. */
  private starts: Float64Array;
  /** Each entry's texts' byte lengths, `parts` per entry; -1 for `undefined`. */
  private lengths: Int32Array;
  private first = 0;
  private count = 0;

  constructor(readonly parts: number, private room = 64) {
    this.starts = new Float64Array(room);
    this.lengths = new Int32Array(room * parts);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of the buffer, live or not (it only grows, until `clear`). */
  get bytes(): number {
    return this.buffer.length;
  }

  /** Adds an entry at the back; `texts` must have `parts` items. */
  push(texts: readonly (string | undefined)[]): void {
    let most = 0;
    for (const text of texts) if (text !== undefined) most += text.length * MAX_BYTES_PER_UNIT;
    if (this.count === this.room) this.widenQueue();
    const start = this.reserve(most);
    const index = (this.first + this.count) % this.room;
    let at = start;
    for (let part = 0; part < this.parts; part++) {
      const text = texts[part];
      const written = text === undefined ? -1 : this.buffer.write(text, at, 'utf8');
      this.lengths[index * this.parts + part] = written;
      if (written > 0) at += written;
    }
    this.starts[index] = start;
    this.count += 1;
    this.head = at;
  }

  /** Drops the oldest entry. */
  shift(): void {
    if (this.count === 0) return;
    this.first = (this.first + 1) % this.room;
    this.count -= 1;
  }

  /** The texts of the `i`-th oldest entry. */
  at(i: number): (string | undefined)[] {
    if (i < 0 || i >= this.count) throw new RangeError(`No entry ${i} in a ring of ${this.count}`);
    const index = (this.first + i) % this.room;
    const texts: (string | undefined)[] = [];
    let at = this.starts[index]!;
    for (let part = 0; part < this.parts; part++) {
      const length = this.lengths[index * this.parts + part]!;
      texts.push(length < 0 ? undefined : this.buffer.toString('utf8', at, at + length));
      if (length > 0) at += length;
    }
    return texts;
  }

  /** Drops every entry and gives back the buffer's growth. */
  clear(): void {
    this.first = 0;
    this.count = 0;
    this.head = 0;
    if (this.buffer.length > INITIAL_BYTES) this.buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  }

  /** Where an entry of at most `most` bytes can start without overwriting a live one (growing if need be). */
  private reserve(most: number): number {
    if (this.count === 0) {
      this.head = 0;
      if (this.buffer.length < most) this.buffer = Buffer.allocUnsafeSlow(grownSize(this.buffer.length, most));
      return 0;
    }
    const oldest = this.starts[this.first]!;
    // Live bytes run from the oldest entry to `head`, wrapping past the end when head is before it.
    if (this.head > oldest) {
      if (this.buffer.length - this.head >= most) return this.head;
      if (oldest >= most) return 0;
    } else if (this.head < oldest && oldest - this.head >= most) {
      return this.head;
    }
    this.grow(most);
    return this.head;
  }

  /** Copies the live entries, oldest first, to the start of a buffer with room for `most` more bytes. */
  private grow(most: number): void {
    let live = 0;
    for (let i = 0; i < this.count; i++) live += this.entryBytes((this.first + i) % this.room);
    // Twice what is needed: free space then always holds one more such entry before or after the live ones.
    const buffer = Buffer.allocUnsafeSlow(grownSize(this.buffer.length, 2 * (live + most)));
    let at = 0;
    for (let i = 0; i < this.count; i++) {
      const index = (this.first + i) % this.room;
      const start = this.starts[index]!;
      const bytes = this.entryBytes(index);
      this.buffer.copy(buffer, at, start, start + bytes);
      this.starts[index] = at;
      at += bytes;
    }
    this.buffer = buffer;
    this.head = at;
  }

  private entryBytes(index: number): number {
    let bytes = 0;
    for (let part = 0; part < this.parts; part++) bytes += Math.max(this.lengths[index * this.parts + part]!, 0);
    return bytes;
  }

  /** Doubles the queue's room, putting the entries first to last from 0. */
  private widenQueue(): void {
    const room = this.room * 2;
    const starts = new Float64Array(room);
    const lengths = new Int32Array(room * this.parts);
    for (let i = 0; i < this.count; i++) {
      const index = (this.first + i) % this.room;
      starts[i] = this.starts[index]!;
      lengths.set(this.lengths.subarray(index * this.parts, (index + 1) * this.parts), i * this.parts);
    }
    this.starts = starts;
    this.lengths = lengths;
    this.room = room;
    this.first = 0;
  }
}

/** The smallest doubling of `current` (at least the initial size) that holds `needed` bytes. */
function grownSize(current: number, needed: number): number {
  let size = Math.max(current, INITIAL_BYTES);
  while (size < needed) size *= 2;
  return size;
}
