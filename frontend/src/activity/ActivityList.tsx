import type { ActivityTabQuery } from "../gql/graphql";
import { formatDateTime } from "../ui/format";
import { changesOf } from "./changes";

export type ActivityEvent = ActivityTabQuery["activity"]["nodes"][number];

/** Events, newest first: when, who, what (and to which carrier), the outcome, why, from where, and what changed. */
export function ActivityList({ events }: { events: readonly ActivityEvent[] }) {
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
          <th scope="col">Changes</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id} className={event.outcome === "REFUSED" ? "refused" : undefined}>
            <td>
              <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
            </td>
            <td>
              {event.actor.name ?? event.actor.id ?? event.actor.kind}
              {event.actorIsStaff ? <span className="badge"> staff</span> : null}
            </td>
            <td>
              <code>{event.action}</code>
              <span className="muted"> {event.carrier ? `· ${event.carrier.code}` : event.targetType === "Organization" ? "· organization" : ""}</span>
            </td>
            <td>{event.outcome === "REFUSED" ? "Refused" : "Succeeded"}</td>
            <td>{event.reason ?? "—"}</td>
            <td>{event.clientAddress ?? "—"}</td>
            <td>
              <Changes event={event} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Changes({ event }: { event: ActivityEvent }) {
  const changes = changesOf(event.before, event.after);
  if (changes.length === 0) return <>—</>;
  return (
    <details>
      <summary>
        {changes.length} field{changes.length === 1 ? "" : "s"}
        <span className="visually-hidden"> changed by {event.action} at {formatDateTime(event.occurredAt)}</span>
      </summary>
      <dl className="changes">
        {changes.map((change) => (
          <div key={change.field}>
            <dt>{change.field}</dt>
            <dd>
              {change.before === null ? "" : <del>{change.before}</del>}
              {change.before !== null && change.after !== null ? " → " : ""}
              {change.after === null ? "" : <ins>{change.after}</ins>}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
