import { useId, useMemo, useState } from "react";
import { useQuery } from "urql";
import { type ActivityTabQuery, ActivityTabDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { formatDateTime } from "../ui/format";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";

type Event = NonNullable<ActivityTabQuery["carrier"]>["activity"]["nodes"][number];

/** The carrier's activity, newest first, filtered by action, outcome and who. */
export function ActivityTab({ code }: { code: string }) {
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState("");
  const [who, setWho] = useState("");
  const id = useId();
  const firstPage = useActivityPages(code);
  const events = firstPage.events;
  const actions = useMemo(() => [...new Set(events.map((event) => event.action))].sort(), [events]);
  const shown = events.filter(
    (event) =>
      (!action || event.action === action) &&
      (!outcome || event.outcome === outcome) &&
      (!who || (event.actor.name ?? event.actor.id ?? "").toLowerCase().includes(who.toLowerCase())),
  );

  if (firstPage.error && events.length === 0) {
    return <RequestProblemAlert problem={describeRequestError(firstPage.error)} onRetry={firstPage.reload} />;
  }
  return (
    <div className="tool">
      <h2>Activity</h2>
      <p>What happened to {code}, newest first: who did what, when, from where and why.</p>
      <div className="toolbar" role="search" aria-label="Filter activity">
        <div className="field inline">
          <label htmlFor={`${id}-action`}>Action</label>
          <select id={`${id}-action`} value={action} onChange={(event) => setAction(event.target.value)}>
            <option value="">All actions</option>
            {actions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={`${id}-outcome`}>Outcome</label>
          <select id={`${id}-outcome`} value={outcome} onChange={(event) => setOutcome(event.target.value)}>
            <option value="">All outcomes</option>
            <option value="succeeded">Succeeded</option>
            <option value="refused">Refused</option>
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={`${id}-who`}>Who</label>
          <input id={`${id}-who`} type="search" value={who} onChange={(event) => setWho(event.target.value)} />
        </div>
      </div>
      {firstPage.fetching && events.length === 0 ? <p role="status">Loading activity…</p> : null}
      {!firstPage.fetching && shown.length === 0 ? <p className="empty">Nothing matches these filters yet.</p> : null}
      {shown.length > 0 ? <ActivityList events={shown} /> : null}
      {firstPage.hasNextPage ? (
        <button type="button" onClick={firstPage.loadMore} disabled={firstPage.fetching}>
          Show older activity
        </button>
      ) : null}
    </div>
  );
}

/** The first page, and older ones appended as the user asks for them. */
function useActivityPages(code: string) {
  const [after, setAfter] = useState<string | null>(null);
  const [older, setOlder] = useState<Event[]>([]);
  const [{ data, error, fetching }, refetch] = useQuery({ query: ActivityTabDocument, variables: { code, after } });
  const connection = data?.carrier?.activity;
  const events = after ? [...older, ...(connection?.nodes ?? [])] : (connection?.nodes ?? []);
  return {
    events,
    error,
    fetching,
    hasNextPage: connection?.pageInfo.hasNextPage ?? false,
    reload: () => refetch({ requestPolicy: "network-only" }),
    loadMore: () => {
      if (!connection?.pageInfo.endCursor) return;
      setOlder(events);
      setAfter(connection.pageInfo.endCursor);
    },
  };
}

function ActivityList({ events }: { events: readonly Event[] }) {
  return (
    <table className="table activity">
      <caption className="visually-hidden">Activity</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Outcome</th>
          <th scope="col">Why</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id} className={event.outcome === "refused" ? "refused" : undefined}>
            <td>
              <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
            </td>
            <td>
              {event.actor.name ?? event.actor.id ?? event.actor.kind}
              {event.actorIsStaff ? <span className="badge"> staff</span> : null}
            </td>
            <td>
              <code>{event.action}</code>
            </td>
            <td>{event.outcome}</td>
            <td>{event.reason ?? "—"}</td>
            <td>{event.clientAddress ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
