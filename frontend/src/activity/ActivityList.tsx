import type { ActivityTabQuery } from "../gql/graphql";
import { Time } from "../time/Time";
import { changesOf } from "./changes";
import { Actor, whatHappened } from "./sentence";
import { actionLabel } from "./words";

export type ActivityEvent = ActivityTabQuery["activity"]["nodes"][number];

/**
 * Events, newest first, each a sentence naming its target: who did what to which key, carrier,
 * organization or feature, and why; when (in the zone shown), the outcome, from where, and on request
 * the fields it changed. On a narrow screen each event is a block of labelled lines.
 */
export function ActivityList({ events }: { events: readonly ActivityEvent[] }) {
  return (
    <table className="table activity stacked">
      <caption className="visually-hidden">Activity</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What happened</th>
          <th scope="col">Outcome</th>
          <th scope="col">From</th>
          <th scope="col">Changes</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id} className={event.outcome === "REFUSED" ? "refused" : undefined}>
            <td data-label="When">
              <Time iso={event.occurredAt} />
            </td>
            <td data-label="What happened" className="sentence">
              <p>
                <Actor event={event} /> {whatHappened(event)}
                {event.carrier && !mentions(event) ? <span className="muted"> ({event.carrier.code})</span> : null}.
              </p>
              {event.reason ? <p className="reason">Why: “{event.reason}”</p> : null}
              <code className="muted action-code">{actionLabel(event.action)}</code>
            </td>
            <td data-label="Outcome">{event.outcome === "REFUSED" ? "Refused" : "Succeeded"}</td>
            <td data-label="From">{event.clientAddress ?? "—"}</td>
            <td data-label="Changes">
              <Changes event={event} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Whether the sentence already names the event's carrier (its events about the carrier itself do). */
function mentions(event: ActivityEvent): boolean {
  return event.targetType === "Carrier" && !!event.targetName;
}

function Changes({ event }: { event: ActivityEvent }) {
  const changes = changesOf(event.before, event.after);
  if (changes.length === 0) return <>—</>;
  return (
    <details>
      <summary>
        {changes.length} field{changes.length === 1 ? "" : "s"}
        <span className="visually-hidden">
          {" "}
          changed by {event.action}
          {event.targetName ? ` on ${event.targetName}` : ""}
        </span>
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
