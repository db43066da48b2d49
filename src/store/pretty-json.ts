const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Re-indents compact JSON (the output of `JSON.stringify(x)`) into exactly what `JSON.stringify(x, null, 2)`
 * gives, with `indent` after every line break so it can sit nested in a larger document. The text is scanned,
 * not parsed: a stored record is already JSON, and parsing it only to serialize it again would cost an object
 * graph per record during a store file rewrite. Only structural characters outside strings are rewritten.
 */
export function prettyJson(compact: string, indent = ''): string {
  const breaks = new LineBreaks(indent);
  let out = '';
  let copied = 0;
  let depth = 0;
  const emit = (end: number, text: string, resume: number) => {
    out += compact.slice(copied, end) + text;
    copied = resume;
  };
  for (let i = 0; i < compact.length; i++) {
    const code = compact.charCodeAt(i);
    if (code === QUOTE) {
      i = endOfString(compact, i);
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const next = compact.charCodeAt(i + 1);
      // An empty container stays `{}` or `[]`, as JSON.stringify writes it.
      if (next === CLOSE_BRACE || next === CLOSE_BRACKET) i += 1;
      else emit(i + 1, breaks.at(++depth), i + 1);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      emit(i, breaks.at(--depth), i);
    } else if (code === COMMA) {
      emit(i + 1, breaks.at(depth), i + 1);
    } else if (code === COLON) {
      emit(i + 1, ' ', i + 1);
    }
  }
  return out + compact.slice(copied);
}

/** The index of the quote that closes the string opened at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i += 1; // the escaped character, or the first of `\uXXXX` (the rest are hex digits)
    else if (code === QUOTE) return i;
  }
  return text.length;
}

/** A line break followed by the indentation of each depth, built once per depth. */
class LineBreaks {
  private readonly byDepth: string[] = [];

  constructor(private readonly indent: string) {}

  at(depth: number): string {
    return (this.byDepth[depth] ??= `\n${this.indent}${'  '.repeat(depth)}`);
  }
}
