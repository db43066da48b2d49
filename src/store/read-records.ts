import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Where a container stands between its members. */
type Expect = 'first-key' | 'key' | 'colon' | 'value' | 'comma';

type Container = { target: Record<string, unknown>; expect: Expect; key: string | undefined };

/**
 * Takes one record (a member of an object that is itself a top-level member) as it is read, instead of it
 * being set in its collection: true when it took it. The record is JSON.parse's value for it.
 */
export type MemberHook = (collection: string, key: string, record: unknown) => boolean;

/** A key or value being copied out of the chunks, possibly across several. */
type Capture = {
  parts: Buffer[];
  /** Where the capture's bytes begin in the current chunk. */
  start: number;
  kind: 'key' | 'string' | 'nested' | 'scalar';
  /** Open brackets, for a nested value. */
  depth: number;
  inString: boolean;
  /** The previous byte was a backslash inside a string. */
  escape: boolean;
};

function startCapture(kind: Capture['kind'], start: number): Capture {
  return { parts: [], start, kind, depth: kind === 'nested' ? 1 : 0, inString: kind === 'key' || kind === 'string', escape: false };
}

/**
 * Parses a JSON file whose top level is an object of objects (a lowdb store file) one member at a time: the
 * top-level object and each object directly inside it are walked byte by byte, and every value below them
 * (one record) is handed to JSON.parse alone. The file's text is never held whole, which keeps a start with
 * 100k records (75 MB of pretty-printed JSON) from needing the text, its bytes and the parsed state at once.
 * Returns undefined when the file does not have that shape or is not valid JSON, so the caller can fall back
 * to a plain JSON.parse and its error message; a result, when there is one, equals JSON.parse's.
 */
export function readJsonByRecords(file: string, member?: MemberHook, chunkBytes = CHUNK_BYTES): Record<string, unknown> | undefined {
  const fd = openSync(file, 'r');
  try {
    return walk(fd, chunkBytes, member);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}

function walk(fd: number, chunkBytes: number, member: MemberHook | undefined): Record<string, unknown> | undefined {
  const root: Record<string, unknown> = {};
  const stack: Container[] = [];
  let started = false;
  let finished = false;
  let capture: Capture | undefined;
  const buffer = Buffer.allocUnsafe(chunkBytes);

  const finishValue = (value: unknown) => {
    const container = stack[stack.length - 1]!;
    if (!(stack.length === 2 && member?.(stack[0]!.key!, container.key!, value))) define(container.target, container.key!, value);
    container.expect = 'comma';
  };

  for (;;) {
    const length = readSync(fd, buffer, 0, chunkBytes, null);
    if (length === 0) break;
    let i = 0;
    if (capture) capture.start = 0;
    while (i < length) {
      if (capture) {
        const end = scanCapture(capture, buffer, i, length);
        if (end === -1) break;
        capture.parts.push(buffer.subarray(capture.start, end));
        const text = Buffer.concat(capture.parts).toString('utf8');
        const { kind } = capture;
        capture = undefined;
        i = end;
        if (kind === 'key') {
          stack[stack.length - 1]!.key = JSON.parse(text) as string;
          stack[stack.length - 1]!.expect = 'colon';
        } else {
          finishValue(JSON.parse(text));
        }
        continue;
      }
      const byte = buffer[i]!;
      i += 1;
      if (isSpace(byte)) continue;
      if (finished) throw new SyntaxError('content after the top-level object');
      if (!started) {
        if (byte !== OPEN_BRACE) return undefined;
        started = true;
        stack.push({ target: root, expect: 'first-key', key: undefined });
        continue;
      }
      const container = stack[stack.length - 1]!;
      switch (container.expect) {
        case 'first-key':
        case 'key':
          if (byte === QUOTE) capture = startCapture('key', i - 1);
          else if (byte === CLOSE_BRACE && container.expect === 'first-key') finished = close(stack, finishValue);
          else throw new SyntaxError('expected a key');
          break;
        case 'colon':
          if (byte !== COLON) throw new SyntaxError('expected a colon');
          container.expect = 'value';
          break;
        case 'value':
          if (byte === OPEN_BRACE && stack.length === 1) {
            // A collection: walk its members too, so each record is parsed on its own.
            container.expect = 'comma';
            stack.push({ target: {}, expect: 'first-key', key: undefined });
          } else if (byte === QUOTE) {
            capture = startCapture('string', i - 1);
          } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            capture = startCapture('nested', i - 1);
          } else {
            capture = startCapture('scalar', i - 1);
          }
          break;
        case 'comma':
          if (byte === COMMA) container.expect = 'key';
          else if (byte === CLOSE_BRACE) finished = close(stack, finishValue);
          else throw new SyntaxError('expected a comma');
          break;
      }
    }
    // Chunks are reused: a capture still open keeps a copy of its bytes so far.
    if (capture) capture.parts.push(Buffer.from(buffer.subarray(capture.start, length)));
  }
  if (capture || !finished) throw new SyntaxError('unexpected end of file');
  return root;
}

/** Closes the innermost container; true when that was the top level. */
function close(stack: Container[], finishValue: (value: unknown) => void): boolean {
  const closed = stack.pop()!;
  if (stack.length === 0) return true;
  finishValue(closed.target);
  return false;
}

/**
 * Scans a capture forward from `i` (just past its first byte, or the start of a later chunk); returns the
 * index just past its end, or -1 when it goes on past `length`.
 */
function scanCapture(capture: Capture, buffer: Buffer, i: number, length: number): number {
  if (capture.kind === 'scalar') {
    for (; i < length; i++) {
      const byte = buffer[i]!;
      if (byte === COMMA || byte === CLOSE_BRACE || isSpace(byte)) return i;
    }
    return -1;
  }
  for (; i < length; i++) {
    const byte = buffer[i]!;
    if (capture.inString) {
      if (capture.escape) capture.escape = false;
      else if (byte === BACKSLASH) capture.escape = true;
      else if (byte === QUOTE) {
        capture.inString = false;
        if (capture.kind !== 'nested') return i + 1;
      }
    } else if (byte === QUOTE) {
      capture.inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      capture.depth += 1;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      capture.depth -= 1;
      if (capture.depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Sets a member the way JSON.parse does: as an own property, `__proto__` included. */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
