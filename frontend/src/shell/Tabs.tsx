import { type KeyboardEvent, useRef } from "react";
import { Link } from "../app/Link";
import { carrierPath, navigate, type Tab, TABS } from "../app/router";

export const TAB_LABELS: Record<Tab, string> = {
  organization: "Organization",
  enablements: "Enablements",
  "api-keys": "API keys",
  activity: "Activity",
  requests: "Requests",
};

export const tabId = (tab: Tab) => `tab-${tab}`;
export const panelId = (tab: Tab) => `panel-${tab}`;

/** The tools as tabs (WAI-ARIA tabs pattern) whose selection is the URL: each tab is a route. */
export function Tabs({ code, current }: { code: string; current: Tab }) {
  const list = useRef<HTMLDivElement>(null);
  const move = (event: KeyboardEvent) => {
    const index = TABS.indexOf(current);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step && event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    const next =
      event.key === "Home" ? 0 : event.key === "End" ? TABS.length - 1 : (index + step + TABS.length) % TABS.length;
    const tab = TABS[next] ?? "organization";
    navigate(carrierPath(code, tab));
    list.current?.querySelector<HTMLElement>(`#${tabId(tab)}`)?.focus();
  };
  return (
    <div role="tablist" aria-label="Tools" className="tabs" ref={list} onKeyDown={move}>
      {TABS.map((tab) => (
        <Link
          key={tab}
          id={tabId(tab)}
          role="tab"
          href={carrierPath(code, tab)}
          aria-selected={tab === current}
          aria-controls={panelId(tab)}
          tabIndex={tab === current ? 0 : -1}
          className="tab"
        >
          {TAB_LABELS[tab]}
        </Link>
      ))}
    </div>
  );
}
