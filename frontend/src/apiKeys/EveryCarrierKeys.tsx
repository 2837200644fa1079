import { useState } from "react";
import { useQuery } from "urql";
import { getFragmentData } from "../gql";
import {
  type ApiKeyFieldsFragment,
  ApiKeyFieldsFragmentDoc,
  type ApiKeyFilter,
  type ApiKeyOrder,
  EveryCarrierKeysDocument,
  type EveryCarrierKeysQuery,
} from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { useCursorPages } from "../graphql/useCursorPages";
import { carrierPermission } from "../permissions/permissions";
import { useViewer } from "../shell/viewer";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { ApiKeyList } from "./ApiKeyList";
import type { KeyDialog } from "./KeyDialogs";
import type { KeyPolicy } from "./policy";
import { usePageSize, WANTED } from "../limits/pageSize";

type Node = EveryCarrierKeysQuery["apiKeys"]["nodes"][number];
type Key = ApiKeyFieldsFragment & Pick<Node, "carrier">;

/** A page's keys with their fields read (ApiKeyFields is masked in the query's answer). */
const withFields = (nodes: readonly Node[]): Key[] => nodes.map((node) => ({ ...getFragmentData(ApiKeyFieldsFragmentDoc, node), carrier: node.carrier }));

interface Props {
  filter: ApiKeyFilter;
  orderBy: ApiKeyOrder;
  policy: KeyPolicy;
  onDialog: (dialog: KeyDialog) => void;
}

/** The keys of every carrier in reach (Query.apiKeys), with whose each is and what may be done to it. */
export function EveryCarrierKeys({ filter, orderBy, policy, onDialog }: Props) {
  const viewer = useViewer();
  // Carriers' keys only: service keys have their own section.
  const variables = { filter: { ...filter, kind: "CARRIER" as const }, orderBy, first: usePageSize(WANTED.keys) };
  const pages = useCursorPages<Key>(JSON.stringify(variables));
  const [{ data: fresh, error, fetching }, refetch] = useQuery({ query: EveryCarrierKeysDocument, variables: { ...variables, after: pages.after } });
  // The last answer stays while other filters load (urql starts each new variables empty).
  const [shown, setShown] = useState<EveryCarrierKeysQuery | undefined>(undefined);
  if (fresh && fresh !== shown) setShown(fresh);
  const data = fresh ?? shown;
  if (error && !data) return <RequestProblemAlert problem={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />;
  if (!data) return <p role="status">Loading the keys of every carrier…</p>;
  const connection = data.apiKeys;
  const keys = fresh ? pages.combine(withFields(fresh.apiKeys.nodes)) : pages.after ? pages.earlier : withFields(connection.nodes);
  const may = (key: Key, operation: string) => carrierPermission(key.carrier?.permissions, viewer.permissions, operation);
  return (
    <section aria-label="Keys of every carrier">
      <p className="hint" role="status" aria-busy={fetching}>
        {fetching ? "Loading…" : `Showing ${keys.length} of ${connection.totalCount} key${connection.totalCount === 1 ? "" : "s"} across your carriers.`}
      </p>
      {keys.length === 0 && !fetching ? <p className="empty">No key matches these filters.</p> : null}
      {keys.length > 0 ? (
        <ApiKeyList
          keys={keys}
          caption="API keys of every carrier"
          policy={policy}
          carrierOf={(key) => key.carrier?.code ?? "—"}
          actionsFor={(key) => ({ update: may(key, "updateApiKey"), rotate: may(key, "rotateApiKey"), revoke: may(key, "revokeApiKey") })}
          onEdit={(key) => onDialog({ kind: "edit", key })}
          onRotate={(key) => onDialog({ kind: "rotate", key, noRoomForGrace: null })}
          onRevoke={(key, replacedBy) => onDialog({ kind: "revoke", key, replacedBy })}
        />
      ) : null}
      {connection.pageInfo.hasNextPage ? (
        <button type="button" disabled={fetching} onClick={() => pages.loadMore(keys, connection.pageInfo.endCursor)}>
          Show more keys
        </button>
      ) : null}
    </section>
  );
}
