import { useDeferredValue, useId, useState } from "react";
import { useQuery } from "urql";
import { SearchOrganizationsDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { usePageSize, WANTED } from "../limits/pageSize";

export interface PickedOrganization {
  id: string;
  name: string;
}

interface Props {
  label: string;
  excludeId?: string | null;
  value: PickedOrganization | null;
  onChange: (organization: PickedOrganization | null) => void;
  /** What is wrong with the choice (none made yet), shown at the list. */
  problem?: string | null;
}

/** Search the organization directory and choose one (staff only: callers check before rendering it). */
export function OrganizationPicker({ label, excludeId, value, onChange, problem }: Props) {
  const [text, setText] = useState("");
  const search = useDeferredValue(text.trim());
  const inputId = useId();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: SearchOrganizationsDocument,
    variables: { search: search || null, first: usePageSize(WANTED.searchResults) },
  });
  const found = (data?.organizations?.nodes ?? []).filter((organization) => organization.id !== excludeId);
  return (
    <div className="picker">
      <div className="field">
        <label htmlFor={inputId}>Search organizations</label>
        <input id={inputId} type="search" value={text} onChange={(event) => setText(event.target.value)} />
      </div>
      {error ? (
        <RequestProblemAlert problem={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      ) : null}
      <fieldset aria-busy={fetching} aria-describedby={problem ? `${inputId}-problem` : undefined}>
        <legend>{label}</legend>
        {problem ? (
          <p id={`${inputId}-problem`} className="field-error">
            {problem}
          </p>
        ) : null}
        {!fetching && found.length === 0 ? <p>No organization matches{search ? ` “${search}”` : ""}.</p> : null}
        {found.map((organization) => (
          <label key={organization.id} className="choice">
            <input
              type="radio"
              name={`${inputId}-organization`}
              checked={value?.id === organization.id}
              onChange={() => onChange({ id: organization.id, name: organization.name })}
            />
            {organization.name}{" "}
            <span className="muted">
              ({organization.carriers.totalCount} carrier{organization.carriers.totalCount === 1 ? "" : "s"})
            </span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
