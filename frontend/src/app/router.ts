// A small history-API router: the app's routes are few and flat (/carriers/:code/:tab), so a library
// would add bytes without adding much. navigate() and <Link> push history; usePath() re-renders on change.
import { useSyncExternalStore } from "react";

const CHANGE = "tools:navigate";

function subscribe(listener: () => void): () => void {
  window.addEventListener("popstate", listener);
  window.addEventListener(CHANGE, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(CHANGE, listener);
  };
}

const currentPath = (): string => window.location.pathname + window.location.search;

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath, currentPath);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(CHANGE));
}

export const TABS = ["organization", "enablements", "api-keys", "activity", "requests"] as const;
export type Tab = (typeof TABS)[number];

export type Route =
  | { name: "home" }
  | { name: "signedIn" }
  | { name: "carrier"; code: string; tab: Tab }
  | { name: "notFound" };

export function parseRoute(path: string): Route {
  const pathname = path.split("?")[0] ?? "/";
  if (pathname === "/" || pathname === "") return { name: "home" };
  if (pathname === "/signed-in") return { name: "signedIn" };
  const match = /^\/carriers\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (match?.[1]) {
    const tab = (match[2] ?? "organization") as Tab;
    if (!TABS.includes(tab)) return { name: "notFound" };
    return { name: "carrier", code: decodeURIComponent(match[1]).toUpperCase(), tab };
  }
  return { name: "notFound" };
}

export function carrierPath(code: string, tab: Tab = "organization"): string {
  return `/carriers/${encodeURIComponent(code)}/${tab}`;
}
