import { useEffect, useId, useMemo, useState } from "react";
import { useQuery } from "urql";
import { getFragmentData } from "../gql";
import { type ApiKeyFieldsFragment, ApiKeyUsageBucketFieldsFragmentDoc, ApiKeyUsageChangedDocument, ApiKeyUsageChartDocument } from "../gql/graphql";
import { useCoalesced, useLive } from "../graphql/useLive";
import { useSessionAccess } from "../auth/sessionAccess";
import { downloadCsv } from "../exports/downloadCsv";
import type { RequestProblem } from "../graphql/problems";
import { useTimeZone } from "../time/zone";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { Dialog } from "../ui/Dialog";
import { daysSince, hoursSince, USAGE_DAYS, USAGE_HOURS } from "./usage";
import { UsageChart } from "./UsageChart";

// A service key has no carrier to watch: its counts are read again each minute, as they land.
const REFRESH_MS = 60_000;

/** A key's usage: a chart by day for 30 days, or by hour for the last two, with the table behind it. */
export function KeyUsageDialog({ apiKey, onClose }: { apiKey: ApiKeyFieldsFragment; onClose: () => void }) {
  const zone = useTimeZone();
  const [interval, setInterval_] = useState<"day" | "hour">("day");
  const name = useId();
  // The period is fixed when the dialog opens; a refresh reads the same buckets again.
  const variables = useMemo(() => ({ id: apiKey.id, since: daysSince(USAGE_DAYS), hoursSince: hoursSince(USAGE_HOURS) }), [apiKey.id]);
  const [{ data, fetching, error }, refetch] = useQuery({ query: ApiKeyUsageChartDocument, variables, requestPolicy: "network-only" });
  const usage = data?.apiKey;
  // Live: each time an instance writes counts of the carrier's keys (the page's one WebSocket), the
  // numbers are read again; an event missed (null) reads them again too.
  const readAgain = useCoalesced(() => refetch({ requestPolicy: "network-only" }));
  const carrierId = usage?.carrier?.id ?? null;
  useLive(ApiKeyUsageChangedDocument, carrierId ? { carrierId } : null, () => readAgain());
  const polled = usage !== undefined && usage !== null && carrierId === null;
  useEffect(() => {
    if (!polled) return;
    const timer = window.setInterval(() => refetch({ requestPolicy: "network-only" }), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [polled, refetch]);
  return (
    <Dialog title={`Usage of ${apiKey.description}`} onClose={onClose}>
      <p className="muted">
        <code>{apiKey.hint}</code>: requests made with the key, counted each hour and written within a minute.
      </p>
      <fieldset className="choice-row">
        <legend>Show</legend>
        <label>
          <input type="radio" name={name} checked={interval === "day"} onChange={() => setInterval_("day")} /> By day, {USAGE_DAYS} days
        </label>
        <label>
          <input type="radio" name={name} checked={interval === "hour"} onChange={() => setInterval_("hour")} /> By hour, last {USAGE_HOURS} hours
        </label>
      </fieldset>
      {error && !usage ? <p role="alert">The usage could not be loaded: {error.message}</p> : null}
      {fetching && !usage ? <p role="status">Loading usage…</p> : null}
      {usage ? (
        <UsageChart
          buckets={getFragmentData(ApiKeyUsageBucketFieldsFragmentDoc, interval === "day" ? usage.days : usage.hours)}
          interval={interval}
          zone={zone}
          title={interval === "day" ? `${apiKey.description}, by day` : `${apiKey.description}, by hour`}
        />
      ) : null}
      {carrierId ? <UsageCsvButton carrierId={carrierId} apiKey={apiKey} since={variables.since} /> : null}
    </Dialog>
  );
}

/** "Download usage CSV": the key's requests per hour and outcome over the dialog's 30 days, as a file
 * (GET /export/carriers/{id}/api-key-usage.csv, which needs the same keys:read as the chart). */
function UsageCsvButton({ carrierId, apiKey, since }: { carrierId: string; apiKey: ApiKeyFieldsFragment; since: string }) {
  const session = useSessionAccess();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [problem, setProblem] = useState<RequestProblem | null>(null);
  const start = async () => {
    setBusy(true);
    setDone(null);
    setProblem(null);
    const result = await downloadCsv(carrierId, "api-key-usage", session.token(), `${apiKey.hint}-usage.csv`, { apiKeyId: apiKey.id, since });
    setBusy(false);
    if (result.ok) setDone(`Downloaded ${result.filename}.`);
    else if (result.problem.kind === "unauthenticated") session.expire();
    else setProblem(result.problem);
  };
  return (
    <div className="export">
      <button type="button" disabled={busy} onClick={start}>
        {busy ? "Downloading…" : "Download usage CSV"}
      </button>
      <span className="hint">Requests per hour and outcome, last {USAGE_DAYS} days, times in UTC.</span>
      <span role="status" className="hint">
        {done}
      </span>
      {problem ? <RequestProblemAlert problem={problem} onRetry={start} /> : null}
    </div>
  );
}
