import { useCallback, useDeferredValue, useId, useState } from "react";
import { useClient, useQuery } from "urql";
import { Link } from "../app/Link";
import { carrierPath, navigate, type Tab } from "../app/router";
import { CarrierSearchDocument, ViewerCarriersDocument } from "../gql/graphql";
import { useEveryNode } from "../limits/everyPage";
import { usePageSize, WANTED } from "../limits/pageSize";
import { useViewer } from "./viewer";

interface Props {
  code: string | null;
  tab: Tab;
}

/** Administrators pick among their carriers; staff also search every carrier. */
export function CarrierSwitcher({ code, tab }: Props) {
  const viewer = useViewer();
  const selectId = useId();
  const carriers = useSwitcherCarriers();
  const known = carriers.some((carrier) => carrier.code === code);
  return (
    <div className="switcher">
      <div className="field inline">
        <label htmlFor={selectId}>Carrier</label>
        <select
          id={selectId}
          value={code ?? ""}
          onChange={(event) => navigate(carrierPath(event.target.value, tab))}
        >
          {code === null ? <option value="">Choose a carrier…</option> : null}
          {!known && code ? <option value={code}>{code}</option> : null}
          {carriers.map((carrier) => (
            <option key={carrier.id} value={carrier.code}>
              {carrier.code} — {carrier.name}
            </option>
          ))}
        </select>
      </div>
      {viewer.reachesAllCarriers ? <CarrierSearch tab={tab} /> : null}
    </div>
  );
}

/**
 * The viewer's carriers: the first page (ToolsPage), then, for someone who does not reach every
 * carrier (so has no search), the pages after it. Staff pick from the first page or search.
 */
function useSwitcherCarriers() {
  const viewer = useViewer();
  const client = useClient();
  const first = usePageSize(WANTED.switcher);
  const next = useCallback(
    async (after: string) => {
      const result = await client.query(ViewerCarriersDocument, { first, after }, { requestPolicy: "network-only" }).toPromise();
      const page = result.data?.viewer.carriers;
      if (!page) throw result.error ?? new Error("Your carriers could not be read.");
      return page;
    },
    [client, first],
  );
  const every = useEveryNode(viewer.reachesAllCarriers ? null : viewer.carriers, next);
  return every.nodes ?? viewer.carriers.nodes;
}

function CarrierSearch({ tab }: { tab: Tab }) {
  const [text, setText] = useState("");
  const search = useDeferredValue(text.trim());
  const inputId = useId();
  const [{ data, fetching, error }] = useQuery({
    query: CarrierSearchDocument,
    variables: { search, first: usePageSize(WANTED.searchResults) },
    pause: search.length === 0,
  });
  const found = search ? (data?.carriers.nodes ?? []) : [];
  return (
    <div className="carrier-search">
      <div className="field inline">
        <label htmlFor={inputId}>Search all carriers</label>
        <input
          id={inputId}
          type="search"
          value={text}
          placeholder="Code or name"
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      {search ? (
        <div role="region" aria-label="Carrier search results" aria-live="polite" className="search-results">
          {error ? <p>Search failed: {error.message}</p> : null}
          {!fetching && !error && found.length === 0 ? <p>No carrier matches “{search}”.</p> : null}
          <ul>
            {found.map((carrier) => (
              <li key={carrier.id}>
                <Link href={carrierPath(carrier.code, tab)} onClick={() => setText("")}>
                  {carrier.code} — {carrier.name}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
