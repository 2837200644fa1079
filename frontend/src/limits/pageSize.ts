import { createContext, useContext } from "react";

/** The server's page sizes (`Query.limits`), read once by the shell's first request. */
export interface PageLimits {
  defaultPageSize: number;
  maxPageSize: number;
}

/** The page sizes the page would like; each request asks for `pageSize(wanted)`, fewer when the server allows fewer. */
export const WANTED = {
  /** A page of the viewer's carriers in the switcher (ToolsPage's first, within the remembered limit; ViewerCarriers' after it). */
  switcher: 100,
  /** A page of carriers in an organization (the Organization tab and the enablement impact read every page). */
  organizationCarriers: 100,
  activity: 50,
  keys: 50,
  serviceKeys: 20,
  /** Requests to Support (the Requests tab; "Show more" reads the next page). */
  requests: 50,
  /** A key's newest refused uses. */
  refusals: 20,
  /** Search results under a search box. */
  searchResults: 10,
} as const;

export const PageLimitsContext = createContext<PageLimits | null>(null);

/** The page size to ask for: what the page wants, within what the server allows (at least one item). */
export function pageSize(wanted: number, limits: PageLimits): number {
  return Math.max(1, Math.min(Math.floor(wanted), limits.maxPageSize));
}

/** `pageSize` with the limits the shell read from the server. */
export function usePageSize(wanted: number): number {
  const limits = useContext(PageLimitsContext);
  if (!limits) throw new Error("usePageSize() outside the signed-in page (no PageLimitsContext)");
  return pageSize(wanted, limits);
}
