import { useState } from "react";
import { useQuery } from "urql";
import { ActivityAppendedDocument, ActivityTabDocument, type ActivityTabQuery } from "../gql/graphql";
import { ExportCsvButton } from "../exports/ExportCsvButton";
import { describeRequestError } from "../graphql/problems";
import { useCursorPages } from "../graphql/useCursorPages";
import { useCoalesced, useLive } from "../graphql/useLive";
import { carrierPermission } from "../permissions/permissions";
import { useCarrierId } from "../shell/useCarrierId";
import { useViewer } from "../shell/viewer";
import { useTimeZone } from "../time/zone";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { activityArguments, ActivityFilters, type ActivityFilterState, ALL_ACTIVITY } from "./ActivityFilters";
import { type ActivityEvent, ActivityList } from "./ActivityList";
import { usePageSize, WANTED } from "../limits/pageSize";

/** What happened to this carrier and its organization, newest first, filtered on the server. */
export function ActivityTab({ code }: { code: string }) {
  const carrierId = useCarrierId(code);
  if (carrierId.error && !carrierId.id) {
    return <RequestProblemAlert problem={describeRequestError(carrierId.error)} />;
  }
  if (carrierId.missing) return <p role="alert">There is no carrier {code} within your reach.</p>;
  if (!carrierId.id) return <p role="status">Loading activity…</p>;
  return <CarrierActivity code={code} carrierId={carrierId.id} />;
}

interface Seen {
  actions: string[];
  actors: { id: string; name: string }[];
}

function CarrierActivity({ code, carrierId }: { code: string; carrierId: string }) {
  const viewer = useViewer();
  const [filters, setFilters] = useState<ActivityFilterState>(ALL_ACTIVITY);
  const zone = useTimeZone();
  const chosen = activityArguments(filters, zone);
  const first = usePageSize(WANTED.activity);
  const variables = { carrierId, ...chosen, first };
  const pages = useCursorPages<ActivityEvent>(JSON.stringify(variables));
  const [{ data: fresh, error, fetching }, refetch] = useQuery({ query: ActivityTabDocument, variables: { ...variables, after: pages.after } });
  // The last answer stays while other filters load (urql starts each new variables empty).
  const [shown, setShown] = useState<ActivityTabQuery | undefined>(undefined);
  const [seen, setSeen] = useState<Seen>({ actions: [], actors: [] });
  if (fresh && fresh !== shown) {
    setShown(fresh);
    const more = remember(seen, fresh.activity.nodes);
    if (more !== seen) setSeen(more);
  }
  const data = fresh ?? shown;
  const [newer, setNewer] = useState(false);
  const reload = () => {
    pages.reset();
    setNewer(false);
    refetch({ requestPolicy: "network-only" });
  };
  // Live: a new event is read at once while the first page is shown; below older pages the list stays
  // where the reader is, and a button brings the newest.
  const readAgain = useCoalesced(() => refetch({ requestPolicy: "network-only" }));
  // With the organization's events included, its log is watched: it holds the carrier's events too.
  const organizationId = filters.includeOrganization ? data?.carrier?.organization?.id : undefined;
  useLive(ActivityAppendedDocument, organizationId ? { organizationId } : { carrierId }, () => {
    if (pages.after) setNewer(true);
    else readAgain();
  });

  if (error && !data) return <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} />;
  if (!data) return <p role="status">Loading activity…</p>;
  const carrier = data.carrier;
  if (!carrier) return <p role="alert">There is no carrier {code} within your reach.</p>;
  const connection = data.activity;
  const events = fresh ? pages.combine(fresh.activity.nodes) : pages.after ? pages.earlier : connection.nodes;
  const organization = carrier.organization;

  return (
    <div className="tool">
      <h2>Activity</h2>
      <p>
        What happened to {code}
        {organization && filters.includeOrganization ? ` and its organization ${organization.name}` : ""}, newest first: who did
        what, when, from where and why.
      </p>
      <div className="toolbar">
        <ExportCsvButton
          carrier={carrier}
          kind="activity"
          permission={carrierPermission(carrier.permissions, viewer.permissions, "exportActivity")}
          // The export filters as the list does (the same arguments, on the server).
          query={exportQuery(chosen)}
          note={`The events the filters below select (${connection.totalCount}), with times in UTC.`}
        />
      </div>
      <ActivityFilters
        value={filters}
        onChange={setFilters}
        actions={seen.actions}
        actors={seen.actors}
        organizationName={organization?.name ?? null}
      />
      {error ? <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} /> : null}
      {newer && pages.after ? (
        <div role="status" className="notice">
          <p>There is newer activity than this list shows.</p>
          <button type="button" onClick={reload}>
            Show the newest activity
          </button>
        </div>
      ) : null}
      <p className="hint" role="status" aria-busy={fetching}>
        {fetching ? "Loading…" : `Showing ${events.length} of ${connection.totalCount} event${connection.totalCount === 1 ? "" : "s"}.`}
      </p>
      {!fetching && events.length === 0 ? <p className="empty">Nothing matches these filters yet.</p> : null}
      {events.length > 0 ? <ActivityList events={events} /> : null}
      {connection.pageInfo.hasNextPage ? (
        <button type="button" onClick={() => pages.loadMore(events, connection.pageInfo.endCursor)} disabled={fetching}>
          Show older activity
        </button>
      ) : null}
    </div>
  );
}

/** The export's query parameters for the filters chosen (GET /export/carriers/{id}/activity.csv). */
function exportQuery(chosen: ReturnType<typeof activityArguments>): Record<string, string> {
  const query: Record<string, string> = { includeOrganization: String(chosen.includeOrganization) };
  for (const name of ["action", "actorId", "outcome", "since", "until"] as const) {
    const value = chosen[name];
    if (value) query[name] = value;
  }
  return query;
}

/** Actions and actors seen in any answer so far, for the filters (kept when a filter narrows the list). */
function remember(seen: Seen, events: readonly ActivityEvent[]): Seen {
  const actions = new Set(seen.actions);
  const actors = new Map(seen.actors.map((actor) => [actor.id, actor.name]));
  for (const event of events) {
    actions.add(event.action);
    // the system's jobs are the system, as the list says, whatever name they were recorded under
    if (event.actor.id) actors.set(event.actor.id, event.actor.kind === "SYSTEM" ? "The system" : (event.actor.name ?? event.actor.id));
  }
  if (actions.size === seen.actions.length && actors.size === seen.actors.length) return seen;
  return {
    actions: [...actions].sort(),
    actors: [...actors].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
