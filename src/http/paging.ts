import { fieldError, problem } from './problems.js';

export const DEFAULT_PAGE_SIZE = 50;

export type Page<T> = { items: T[]; nextPageToken: string | null; totalCount: number };

/** The query names one list pages with: a size, a skip, and the token (cursor) that carries `nextPageToken` back. */
export type PagingNames = { size: readonly string[]; skip: readonly string[]; token: readonly string[] };

/**
 * Rule paging-names-per-list: each list takes the names the docs use for it. The catalog list's prose says
 * `page_size` / `page_token`; its sibling tools list binds `Paging.PageSize` / `Paging.PageToken.*`, so the
 * catalog takes both. Other paged lists bind `PageSize` / `PageToken.*`.
 */
export const CATALOG_PAGING: PagingNames = {
  size: ['page_size', 'Paging.PageSize'],
  skip: ['Paging.PageToken.Skip'],
  token: ['page_token', 'Paging.PageToken.Cursor'],
};
export const TOOLS_PAGING: PagingNames = { size: ['Paging.PageSize'], skip: ['Paging.PageToken.Skip'], token: ['Paging.PageToken.Cursor'] };
export const LIST_PAGING: PagingNames = { size: ['PageSize'], skip: ['PageToken.Skip'], token: ['PageToken.Cursor'] };

/**
 * Slices `all` into the `{items, nextPageToken, totalCount}` envelope. `nextPageToken` is the next skip as a
 * decimal string, so it works sent back as the token or as the skip. A size of 0 or less means the default.
 */
export function paginate<T>(all: T[], query: Record<string, unknown>, names: PagingNames): Page<T> {
  const sent = (list: readonly string[]) => list.map((name) => query[name]).find((v) => v !== undefined && v !== '');
  const requested = Number(sent(names.size) ?? 0);
  const size = requested > 0 ? requested : DEFAULT_PAGE_SIZE;
  const token = sent(names.token);
  const offset = token === undefined ? Math.max(0, Number(sent(names.skip) ?? 0)) : decodePageToken(token, names.token[0]!);
  const items = all.slice(offset, offset + size);
  const next = offset + size < all.length ? String(offset + size) : null;
  return { items, nextPageToken: next, totalCount: all.length };
}

/** Rule page-token-is-skip: a token is a number of items to skip; anything else is a 400. */
function decodePageToken(token: unknown, field: string): number {
  const text = String(token);
  if (!/^\d{1,9}$/.test(text)) {
    throw problem('validation', `${field} is not a token this API handed out.`, {
      errors: fieldError(field, 'is not a valid page token'),
    });
  }
  return Number(text);
}
