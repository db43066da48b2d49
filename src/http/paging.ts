import { fieldError, problem } from './problems.js';

export const DEFAULT_PAGE_SIZE = 50;

export type Page<T> = { items: T[]; nextPageToken: string | null; totalCount: number };

/** Slices `all` into the `{items, nextPageToken, totalCount}` envelope the API uses for paged lists. */
export function paginate<T>(all: T[], query: Record<string, unknown>): Page<T> {
  const size = typeof query.pageSize === 'number' ? query.pageSize : DEFAULT_PAGE_SIZE;
  const offset = decodePageToken(query.pageToken);
  const items = all.slice(offset, offset + size);
  const next = offset + size < all.length ? encodePageToken(offset + size) : null;
  return { items, nextPageToken: next, totalCount: all.length };
}

function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodePageToken(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(String(token), 'base64url').toString('utf8'));
  if (!match) {
    throw problem('validation', 'pageToken is not a token this API handed out.', {
      errors: fieldError('pageToken', 'is not a valid page token'),
    });
  }
  return Number(match[1]);
}
