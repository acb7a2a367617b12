import { McpError } from '../protocol/errors.js';

/**
 * Cursor pagination for the `*\/list` methods. The cursor is opaque to clients (spec: "Pagination");
 * ours encodes the offset of the next page, so a list that changes between pages may shift by
 * the entries added or removed, which the spec allows.
 */
export function paginate<T>(
  items: T[],
  cursor: unknown,
  pageSize: number,
): { page: T[]; nextCursor: string | undefined } {
  let offset = 0;
  if (cursor !== undefined) {
    offset = decodeCursor(cursor);
  }
  if (offset === 0 && items.length <= pageSize) return { page: items, nextCursor: undefined };
  const end = offset + pageSize;
  return {
    page: items.slice(offset, end),
    nextCursor: end < items.length ? btoa(`o:${end}`) : undefined,
  };
}

function decodeCursor(cursor: unknown): number {
  if (typeof cursor === 'string') {
    let text = '';
    try {
      text = atob(cursor);
    } catch {
      // Not base64: falls through to the error below.
    }
    const match = /^o:(\d{1,9})$/.exec(text);
    if (match) return Number(match[1]);
  }
  throw McpError.invalidParams(
    'The "cursor" is not one this server issued. Pass the "nextCursor" of the previous page unchanged, or omit it to start from the first page.',
  );
}
