import { constants } from 'node:buffer';
import type { Response } from 'express';
import type { RequestContext } from '../control/request-log.js';
import type { Reply } from './handler.js';

/** V8's longest string: a JSON text longer than this cannot be built, only written in parts. */
export const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

export type SendOptions = {
  /** Through `res.json`, which the validator wraps to check the body against the spec. */
  validateResponses: boolean;
  /** The longest JSON text built as one string; an array reply longer than this is streamed. */
  largestText: number;
};

/**
 * Sends a handler's reply as JSON and keeps its text on the request's context for the request log. An array
 * whose JSON would be longer than `largestText` (by default V8's longest string, which a tenant with enough
 * records reaches) is written element by element, chunked, unvalidated, and logged as a note.
 */
export function sendReply(res: Response, context: RequestContext, reply: Reply, options: SendOptions): void {
  res.status(reply.status);
  if (reply.headers) res.set(reply.headers);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  if (Array.isArray(reply.body)) {
    const parts = jsonParts(reply.body, options.largestText);
    if (parts.kind === 'parts') {
      streamParts(res, context, parts.texts, parts.length);
      return;
    }
    context.responseBody = parts.text;
  } else {
    context.responseBody = JSON.stringify(reply.body);
  }
  // The validator reads a JSON `null` body as no body and rejects it; `:refreshIdentity` documents a 200
  // with null, so that one body goes out unchecked.
  if (options.validateResponses && reply.body !== null) res.json(reply.body);
  else res.type('application/json').send(context.responseBody);
}

type Parts = { kind: 'whole'; text: string } | { kind: 'parts'; texts: string[]; length: number };

/** The array's JSON as one text when it is at most `largest` long, else as its elements' texts. */
function jsonParts(items: readonly unknown[], largest: number): Parts {
  const texts: string[] = [];
  let length = 2 + Math.max(items.length - 1, 0);
  for (const item of items) {
    const text = JSON.stringify(item) ?? 'null';
    texts.push(text);
    length += text.length;
  }
  return length <= largest ? { kind: 'whole', text: `[${texts.join(',')}]` } : { kind: 'parts', texts, length };
}

function streamParts(res: Response, context: RequestContext, texts: string[], length: number): void {
  context.responseBody = JSON.stringify(`[not recorded: a streamed array of ${texts.length} items, ${length} characters]`);
  res.type('application/json');
  res.write('[');
  let index = 0;
  // Writes up to ~1 MB at a time, waiting for the socket to drain so the parts are not all buffered twice.
  const writeSome = (): void => {
    while (index < texts.length) {
      let chunk = '';
      while (index < texts.length && chunk.length < 1024 * 1024) chunk += (index > 0 ? ',' : '') + texts[index++];
      if (!res.write(chunk)) {
        res.once('drain', writeSome);
        return;
      }
    }
    res.end(']');
  };
  writeSome();
}
