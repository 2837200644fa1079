import { useCallback, useState } from "react";

interface Pages<T> {
  /** The variables' identity (filters, carrier): other variables start again at the first page. */
  key: string;
  after: string | null;
  /** The pages before the one being asked for. */
  earlier: T[];
}

/**
 * "Show more" paging over a connection: the query asks for the page after `after`, and `combine` puts
 * the pages already seen in front of it. Changing `key` (another filter) starts again at the first page.
 */
export function useCursorPages<T>(key: string) {
  const [pages, setPages] = useState<Pages<T>>({ key, after: null, earlier: [] });
  const current = pages.key === key ? pages : { key, after: null, earlier: [] as T[] };
  const combine = (page: readonly T[]): T[] => (current.after ? [...current.earlier, ...page] : [...page]);
  const loadMore = (all: T[], endCursor: string | null | undefined) => {
    if (endCursor) setPages({ key, after: endCursor, earlier: all });
  };
  const reset = useCallback(() => setPages({ key, after: null, earlier: [] }), [key]);
  return { after: current.after, earlier: current.earlier, combine, loadMore, reset };
}
