import { useEffect, useState } from "react";

/** One page of a connection, as the page's queries ask for it. */
export interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: readonly T[];
}

/** Reads the page after a cursor; rejects when the request fails. */
export type NextPage<T> = (after: string) => Promise<Page<T>>;

/**
 * Every node of a list whose first page is `first`, reading the pages after it one by one: a list
 * longer than the server's page size limit is shown whole instead of cut at the limit.
 */
export async function everyNode<T>(first: Page<T>, next: NextPage<T>): Promise<T[]> {
  const nodes = [...first.nodes];
  let page = first;
  while (page.pageInfo.hasNextPage) {
    const after = page.pageInfo.endCursor;
    if (!after) throw new Error("The server said more pages follow but gave no cursor.");
    page = await next(after);
    nodes.push(...page.nodes);
  }
  return nodes;
}

interface Read<T> {
  first: Page<T>;
  nodes: readonly T[] | null;
  error: Error | null;
}

/**
 * `everyNode` for a component: `nodes` is null while the pages after `first` are read (or when there is
 * no first page yet), and read again when `first` changes (the query ran again). `next` should keep its
 * identity (useCallback) while its variables do.
 */
export function useEveryNode<T>(first: Page<T> | null | undefined, next: NextPage<T>): { nodes: readonly T[] | null; error: Error | null } {
  const [read, setRead] = useState<Read<T> | null>(null);
  const onePage = first !== null && first !== undefined && !first.pageInfo.hasNextPage;
  useEffect(() => {
    if (!first || !first.pageInfo.hasNextPage) return;
    let current = true;
    everyNode(first, next).then(
      (nodes) => current && setRead({ first, nodes, error: null }),
      (error: unknown) => current && setRead({ first, nodes: null, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [first, next]);
  if (!first) return { nodes: null, error: null };
  if (onePage) return { nodes: first.nodes, error: null };
  return read?.first === first ? { nodes: read.nodes, error: read.error } : { nodes: null, error: null };
}
