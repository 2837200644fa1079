import { useDeferredValue, useId, useState } from "react";
import { useQuery } from "urql";
import { Link } from "../app/Link";
import { carrierPath, navigate, type Tab } from "../app/router";
import { CarrierSearchDocument } from "../gql/graphql";
import { useViewer } from "./viewer";

interface Props {
  code: string | null;
  tab: Tab;
}

/** Administrators pick among their carriers; staff also search every carrier. */
export function CarrierSwitcher({ code, tab }: Props) {
  const viewer = useViewer();
  const selectId = useId();
  const carriers = viewer.carriers.nodes;
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

function CarrierSearch({ tab }: { tab: Tab }) {
  const [text, setText] = useState("");
  const search = useDeferredValue(text.trim());
  const inputId = useId();
  const [{ data, fetching, error }] = useQuery({
    query: CarrierSearchDocument,
    variables: { search },
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
