import type { ApiKeyUsageBucketFieldsFragment, ApiKeyUseOutcome } from "../gql/graphql";
import { formatDate, formatDateTime } from "../time/format";

/** Why requests were refused, as the usage table lists them. */
export const OUTCOME_LABELS: Record<Exclude<ApiKeyUseOutcome, "SERVED">, string> = {
  REVOKED: "revoked",
  EXPIRED: "expired",
  ADDRESS_NOT_ALLOWED: "address not allowed",
  API_ACCESS_DISABLED: "API access off",
  RATE_LIMITED: "rate limited",
};

const WIDTH = 640;
const HEIGHT = 180;
const LEFT = 44; // room for the scale's numbers
const BOTTOM = 22; // room for the first and last bucket's labels
const PLOT = HEIGHT - BOTTOM - 8;

interface Props {
  buckets: readonly ApiKeyUsageBucketFieldsFragment[];
  interval: "day" | "hour";
  /** The zone hours are shown in (days are UTC days, as counted). */
  zone: string;
  /** What the chart and its table are of ("Production ERP, by day"). */
  title: string;
}

const label = (iso: string, interval: Props["interval"], zone: string) =>
  interval === "day" ? formatDate(iso, "UTC") : formatDateTime(iso, zone);

/**
 * Requests per bucket as stacked bars (served, then refused in their own colour), in plain SVG, and the
 * same numbers in a table: the chart for the eye, the table for everyone (screen readers, copying).
 */
export function UsageChart({ buckets, interval, zone, title }: Props) {
  const most = Math.max(1, ...buckets.map((bucket) => bucket.served + bucket.refused));
  const step = (WIDTH - LEFT) / Math.max(1, buckets.length);
  const bar = Math.max(1, step * 0.8);
  const y = (value: number) => (value / most) * PLOT;
  const served = buckets.reduce((sum, bucket) => sum + bucket.served, 0);
  const refused = buckets.reduce((sum, bucket) => sum + bucket.refused, 0);
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  return (
    <figure className="usage-chart">
      <figcaption>
        {title}: {served.toLocaleString()} served, <span className="refused-text">{refused.toLocaleString()} refused</span>
        {interval === "day" ? " (days in UTC)" : null}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Bar chart of the table below: ${served} served and ${refused} refused requests.`}>
        <line className="axis" x1={LEFT} x2={WIDTH} y1={8 + PLOT + 0.5} y2={8 + PLOT + 0.5} />
        <line className="grid" x1={LEFT} x2={WIDTH} y1={8.5} y2={8.5} />
        <text className="scale" x={LEFT - 6} y={14} textAnchor="end">
          {most.toLocaleString()}
        </text>
        <text className="scale" x={LEFT - 6} y={8 + PLOT} textAnchor="end">
          0
        </text>
        {buckets.map((bucket, index) => {
          const servedHeight = y(bucket.served);
          const refusedHeight = y(bucket.refused);
          const x = LEFT + index * step + (step - bar) / 2;
          return (
            <g key={bucket.start} data-start={bucket.start}>
              {bucket.served > 0 ? <rect className="served" x={x} y={8 + PLOT - servedHeight} width={bar} height={Math.max(1, servedHeight)} /> : null}
              {bucket.refused > 0 ? (
                <rect className="refused" x={x} y={8 + PLOT - servedHeight - Math.max(1, refusedHeight)} width={bar} height={Math.max(1, refusedHeight)} />
              ) : null}
            </g>
          );
        })}
        {first ? (
          <text className="scale" x={LEFT} y={HEIGHT - 4}>
            {label(first.start, interval, zone)}
          </text>
        ) : null}
        {last && last !== first ? (
          <text className="scale" x={WIDTH} y={HEIGHT - 4} textAnchor="end">
            {label(last.start, interval, zone)}
          </text>
        ) : null}
      </svg>
      <p className="legend" aria-hidden="true">
        <span className="swatch served" /> served <span className="swatch refused" /> refused
      </p>
      <div className="usage-table" role="region" aria-label={`${title}, as a table`} tabIndex={0}>
        <table className="table">
          <caption>{title}, the numbers</caption>
          <thead>
            <tr>
              <th scope="col">{interval === "day" ? "Day (UTC)" : "Hour"}</th>
              <th scope="col">Served</th>
              <th scope="col">Refused</th>
              <th scope="col">Why refused</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket) => (
              <tr key={bucket.start}>
                <th scope="row">{label(bucket.start, interval, zone)}</th>
                <td>{bucket.served.toLocaleString()}</td>
                <td className={bucket.refused > 0 ? "refused-text" : undefined}>{bucket.refused.toLocaleString()}</td>
                <td>
                  {bucket.counts
                    .flatMap((count) => (count.outcome === "SERVED" ? [] : [`${OUTCOME_LABELS[count.outcome]}: ${count.count}`]))
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
