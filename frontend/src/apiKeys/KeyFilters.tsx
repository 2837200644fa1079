import { type Dispatch, type SetStateAction, useId } from "react";
import type { ApiKeyFilter, ApiKeyOrder, ApiKeyOrderField, ApiKeyScope, ApiKeyStatus, OrderDirection } from "../gql/graphql";
import type { KeyPolicy } from "./policy";
import { LEVEL_LABELS } from "./scopeAccess";

type Order = `${ApiKeyOrderField}:${OrderDirection}`;

export interface KeyFilterState {
  search: string;
  status: ApiKeyStatus | "";
  scope: ApiKeyScope | "";
  expiringSoon: boolean;
  unused: "" | "never" | "days";
  /** Fixed when "unused" is chosen, so the query's variables stay the same from render to render. */
  unusedSince: string | null;
  order: Order;
}

export const NO_FILTERS: KeyFilterState = {
  search: "",
  status: "",
  scope: "",
  expiringSoon: false,
  unused: "",
  unusedSince: null,
  order: "CREATED_AT:ASC",
};

const ORDERS: { value: Order; label: string }[] = [
  { value: "CREATED_AT:ASC", label: "Oldest first" },
  { value: "CREATED_AT:DESC", label: "Newest first" },
  { value: "EXPIRES_AT:ASC", label: "Expiring first" },
  { value: "LAST_USED_AT:ASC", label: "Least recently used first" },
  { value: "LAST_USED_AT:DESC", label: "Most recently used first" },
  { value: "USES_LAST_30_DAYS:DESC", label: "Most used (30 days)" },
  { value: "USES_LAST_30_DAYS:ASC", label: "Least used (30 days)" },
];

interface Props {
  value: KeyFilterState;
  /** A state setter: each change is applied to the filters as they are then, not as this render saw them. */
  onChange: Dispatch<SetStateAction<KeyFilterState>>;
  /** The policy's scopes, each a resource and a level of access. */
  scopes: KeyPolicy["scopes"];
  expiringSoonDays: number;
  /** The policy's "unused" (apiKeyPolicy.unusedAfterDays). */
  unusedAfterDays: number;
}

/** Search, filter and order the keys; the server does the work (Carrier.apiKeys(filter, orderBy)). */
export function KeyFilters({ value, onChange, scopes, expiringSoonDays, unusedAfterDays }: Props) {
  const id = useId();
  // Merged into the current filters, so that two changes before a render (typing, then a click while the
  // list is still rendering) both stay.
  const set = (change: Partial<KeyFilterState>) => onChange((current) => ({ ...current, ...change }));
  return (
    <div className="toolbar filters" role="search" aria-label="Find API keys">
      <div className="field inline">
        <label htmlFor={`${id}-search`}>Search keys</label>
        <input
          id={`${id}-search`}
          type="search"
          value={value.search}
          placeholder="Description or hint"
          onChange={(event) => set({ search: event.target.value })}
        />
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={value.status} onChange={(event) => set({ status: event.target.value as ApiKeyStatus | "" })}>
          <option value="">All</option>
          <option value="ACTIVE">Active</option>
          <option value="EXPIRED">Expired</option>
          <option value="REVOKED">Revoked</option>
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-scope`}>Permission</label>
        <select id={`${id}-scope`} value={value.scope} onChange={(event) => set({ scope: event.target.value as ApiKeyScope | "" })}>
          <option value="">Any</option>
          {scopes.map((scope) => (
            <option key={scope.scope} value={scope.scope}>
              {`${LEVEL_LABELS[scope.access]}: ${scope.resource} (${scope.scope})`}
            </option>
          ))}
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-unused`}>Use</label>
        <select
          id={`${id}-unused`}
          value={value.unused}
          onChange={(event) => {
            const unused = event.target.value as KeyFilterState["unused"];
            set({ unused, unusedSince: unusedSince(unused, unusedAfterDays) });
          }}
        >
          <option value="">Any</option>
          <option value="never">Never used</option>
          <option value="days">Not used in {unusedAfterDays} days</option>
        </select>
      </div>
      <label className="choice">
        <input type="checkbox" checked={value.expiringSoon} onChange={(event) => set({ expiringSoon: event.target.checked })} />
        Expiring soon (within {expiringSoonDays} days)
      </label>
      <div className="field inline">
        <label htmlFor={`${id}-order`}>Order</label>
        <select id={`${id}-order`} value={value.order} onChange={(event) => set({ order: event.target.value as Order })}>
          {ORDERS.map((order) => (
            <option key={order.value} value={order.value}>
              {order.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function unusedSince(unused: KeyFilterState["unused"], days: number, now = Date.now()): string | null {
  // "Never used" is "not used since the beginning": no key was used before the epoch.
  if (unused === "never") return new Date(0).toISOString();
  if (unused === "days") return new Date(now - days * 86_400_000).toISOString();
  return null;
}

/** The query's filter and order for these choices; "expiring soon" is the policy's window. */
export function keyQuery(state: KeyFilterState, expiringSoonDays: number): { filter: ApiKeyFilter; orderBy: ApiKeyOrder } {
  const [field, direction] = state.order.split(":") as [ApiKeyOrderField, OrderDirection];
  return {
    filter: {
      search: state.search.trim() || null,
      status: state.status || null,
      scope: state.scope || null,
      expiringWithinDays: state.expiringSoon ? expiringSoonDays : null,
      unusedSince: state.unusedSince,
    },
    orderBy: { field, direction },
  };
}

export function isFiltered(state: KeyFilterState): boolean {
  return !!(state.search.trim() || state.status || state.scope || state.expiringSoon || state.unused);
}
