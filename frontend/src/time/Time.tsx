import { useId } from "react";
import { formatDate, formatDateTime, formatExact, formatRelative, formatUtc } from "./format";
import { useTimeZone } from "./zone";

interface Props {
  iso: string;
  /** dateTime: "Dec 5, 2026, 1:04 PM CST"; date: "Dec 5, 2026"; relative: "3 days ago". */
  as?: "dateTime" | "date" | "relative";
}

/**
 * A time in the zone the page shows, with that zone; hovering or focusing it shows the exact instant,
 * in that zone and in UTC (what the CSV exports and the server's logs say). Screen readers hear the
 * exact instant as the time's description.
 */
export function Time({ iso, as = "dateTime" }: Props) {
  const zone = useTimeZone();
  const tipId = useId();
  const shown = as === "date" ? formatDate(iso, zone) : as === "relative" ? formatRelative(iso) : formatDateTime(iso, zone);
  return (
    <span className="time">
      <time dateTime={iso} tabIndex={0} aria-describedby={tipId}>
        {shown}
      </time>
      <span role="tooltip" id={tipId} className="time-tip">
        {formatExact(iso, zone)} · {formatUtc(iso)}
      </span>
    </span>
  );
}
