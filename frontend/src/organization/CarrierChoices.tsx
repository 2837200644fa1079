import { useDeferredValue, useId, useState } from "react";
import { useQuery } from "urql";
import { UnattachedCarriersDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { FieldMessage } from "../ui/FieldMessage";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { usePageSize, WANTED } from "../limits/pageSize";

export interface CarrierChoice {
  id: string;
  code: string;
  name: string;
}

interface Props {
  /** The carriers offered: this carrier, then those added from the search (an unticked one stays listed). */
  listed: readonly CarrierChoice[];
  /** The ids of the ticked ones; they are sent in the listed order (`carrierIds[i]`). */
  chosen: readonly string[];
  onChange: (listed: CarrierChoice[], chosen: string[]) => void;
  /** The server's message about one chosen carrier, by carrier id (from `carrierIds[i]`). */
  errors: Record<string, string>;
}

/** The carriers a new organization starts with: ticked ones, and a search among those in none to add more. */
export function CarrierChoices({ listed, chosen, onChange, errors }: Props) {
  const [text, setText] = useState("");
  const search = useDeferredValue(text.trim());
  const id = useId();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: UnattachedCarriersDocument,
    variables: { search: search || null, first: usePageSize(WANTED.searchResults) },
    pause: search === "",
  });
  const isChosen = (carrier: CarrierChoice) => chosen.includes(carrier.id);
  const found = search ? (data?.carriers.nodes ?? []).filter((carrier) => !listed.some((shown) => shown.id === carrier.id)) : [];
  const toggle = (carrier: CarrierChoice, on: boolean) =>
    onChange([...listed], on ? [...chosen, carrier.id] : chosen.filter((id) => id !== carrier.id));
  const add = (carrier: CarrierChoice) =>
    onChange([...listed, { id: carrier.id, code: carrier.code, name: carrier.name }], [...chosen, carrier.id]);

  const row = (carrier: CarrierChoice) => {
    const message = errors[carrier.id];
    const errorId = `${id}-${carrier.id}-error`;
    return (
      <li key={carrier.id}>
        <label className="choice">
          <input
            type="checkbox"
            checked={isChosen(carrier)}
            aria-invalid={message ? true : undefined}
            aria-describedby={message ? errorId : undefined}
            onChange={(event) => toggle(carrier, event.target.checked)}
          />
          {carrier.code} — {carrier.name}
          {carrier.id === listed[0]?.id ? " (this carrier)" : ""}
        </label>
        <FieldMessage id={errorId} message={message} />
      </li>
    );
  };

  return (
    <fieldset className="carrier-choices">
      <legend>Carriers in the new organization</legend>
      <ul className="plain" aria-label="Chosen carriers">
        {listed.map(row)}
      </ul>
      <div className="field">
        <label htmlFor={`${id}-search`}>Find carriers in no organization</label>
        <input
          id={`${id}-search`}
          type="search"
          value={text}
          placeholder="Code or name"
          aria-describedby={`${id}-search-hint`}
          onChange={(event) => setText(event.target.value)}
        />
        <p id={`${id}-search-hint`} className="hint">
          Only carriers that belong to no organization can join a new one.
        </p>
      </div>
      {error ? (
        <RequestProblemAlert problem={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      ) : null}
      {search ? (
        <div role="region" aria-label="Carriers found" aria-live="polite">
          {!fetching && !error && found.length === 0 ? <p>No other carrier without an organization matches “{search}”.</p> : null}
          <ul className="plain">
            {found.map((carrier) => (
              <li key={carrier.id}>
                <button type="button" className="link-button" onClick={() => add(carrier)}>
                  Add {carrier.code} — {carrier.name}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </fieldset>
  );
}

/** `carrierIds[2]` → the id of the third carrier sent. */
export function errorsByCarrier(fields: Record<string, string>, sent: readonly string[]): Record<string, string> {
  const byCarrier: Record<string, string> = {};
  for (const [field, message] of Object.entries(fields)) {
    const match = /^carrierIds\[(\d+)\]$/.exec(field);
    const carrierId = match ? sent[Number(match[1])] : undefined;
    if (carrierId) byCarrier[carrierId] = message;
  }
  return byCarrier;
}
