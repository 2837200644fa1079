import type { CombinedError } from "urql";
import type { PageLimits } from "./pageSize";

// The page sizes the server published when the page last loaded, kept in the browser: the first request
// of the next load (ToolsPage) can then ask for a full switcher's worth of carriers without a round trip
// to learn the limit first. Never seen (or refused since): the server's default page, always allowed.
const KEY = "carrier-admin:page-limits";

export function rememberedLimits(): PageLimits | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (value === null || typeof value !== "object") return null;
    const { defaultPageSize, maxPageSize } = value as Record<string, unknown>;
    return typeof defaultPageSize === "number" && typeof maxPageSize === "number" && maxPageSize >= 1 ? { defaultPageSize, maxPageSize } : null;
  } catch {
    return null;
  }
}

export function rememberLimits(limits: PageLimits | null): void {
  try {
    if (limits) localStorage.setItem(KEY, JSON.stringify({ defaultPageSize: limits.defaultPageSize, maxPageSize: limits.maxPageSize }));
    else localStorage.removeItem(KEY);
  } catch {
    // Storage off (private mode): every load asks for the server's default page.
  }
}

/** The server refused a page size (`first`/`last` beyond MAX_PAGE_SIZE): a remembered limit is stale. */
export function refusedPageSize(error: CombinedError | undefined): boolean {
  return !!error?.graphQLErrors.some((problem) => problem.extensions?.code === "BAD_USER_INPUT" && ["first", "last"].includes(String(problem.extensions.argument)));
}
