import { useState } from "react";
import { useQuery } from "urql";
import { getFragmentData } from "../gql";
import { type ApiKeyFieldsFragment, ApiKeyRefusalFieldsFragmentDoc, ApiKeyRefusalsDocument } from "../gql/graphql";
import { Time } from "../time/Time";
import { REFUSAL_LABELS } from "./refusals";
import { usePageSize, WANTED } from "../limits/pageSize";

/** When and where the key last worked, and when it was last refused and why; the refusals on request. */
export function LastUse({ apiKey }: { apiKey: ApiKeyFieldsFragment }) {
  const [open, setOpen] = useState(false);
  const refusal = getFragmentData(ApiKeyRefusalFieldsFragmentDoc, apiKey.lastRefusal);
  return (
    <>
      {apiKey.lastUsedAt ? (
        <>
          <Time iso={apiKey.lastUsedAt} as="relative" />
          {apiKey.lastUsedAddress ? <span className="muted"> from {apiKey.lastUsedAddress}</span> : null}
        </>
      ) : (
        "Never"
      )}
      {refusal ? (
        <p className="refusal">
          Refused{" "}
          <Time iso={refusal.lastAt} as="relative" />{" "}
          ({refusal.count}×): {REFUSAL_LABELS[refusal.reason]}
          {refusal.detail ? ` (${refusal.detail})` : ""}
          {refusal.clientAddress ? `, from ${refusal.clientAddress}` : ""}.{" "}
          <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? "Hide" : "Show"} refused uses<span className="visually-hidden"> of {apiKey.description}</span>
          </button>
        </p>
      ) : null}
      {open ? <Refusals id={apiKey.id} description={apiKey.description} /> : null}
    </>
  );
}

function Refusals({ id, description }: { id: string; description: string }) {
  const first = usePageSize(WANTED.refusals);
  const [{ data, fetching, error }] = useQuery({ query: ApiKeyRefusalsDocument, variables: { id, first }, requestPolicy: "network-only" });
  if (fetching && !data) return <p role="status">Loading refused uses…</p>;
  if (error) return <p role="alert">The refused uses could not be loaded: {error.message}</p>;
  const refusals = getFragmentData(ApiKeyRefusalFieldsFragmentDoc, data?.apiKey?.refusals ?? []);
  return (
    <ul className="plain refusals" aria-label={`Refused uses of ${description}`}>
      {refusals.map((refusal) => (
        <li key={`${refusal.reason}/${refusal.firstAt}`}>
          <Time iso={refusal.lastAt} />: {refusal.count}× {REFUSAL_LABELS[refusal.reason]}
          {refusal.detail ? ` (${refusal.detail})` : ""}
          {refusal.clientAddress ? `, from ${refusal.clientAddress}` : ""}
        </li>
      ))}
    </ul>
  );
}
