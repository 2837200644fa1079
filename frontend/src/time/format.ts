// Times as people read them, in the zone the page shows (the user's choice), always with that zone;
// and the exact instant in UTC, which the CSV exports and the server's logs use.

const DAY_MS = 86_400_000;

function formatter(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
}

/** "Dec 5, 2026, 1:04 PM CST" */
export function formatDateTime(iso: string | null | undefined, zone: string): string {
  if (!iso) return "—";
  return formatter(zone, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** "Dec 5, 2026": the day in the zone shown. */
export function formatDate(iso: string | null | undefined, zone: string): string {
  if (!iso) return "—";
  return formatter(zone, { dateStyle: "medium" }).format(new Date(iso));
}

/** "Dec 5, 2026, 1:04:09 PM CST": to the second, for the exact instant. */
export function formatExact(iso: string, zone: string): string {
  return formatter(zone, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** "2026-12-05 19:04:09 UTC" */
export function formatUtc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The zone's short name at that instant ("CST", "GMT+1", "UTC"). */
export function zoneName(zone: string, at = new Date()): string {
  const part = formatter(zone, { timeZoneName: "short" }).formatToParts(at).find((p) => p.type === "timeZoneName");
  return part?.value ?? zone;
}

export function relativeDays(iso: string, now = Date.now()): number {
  return Math.round((new Date(iso).getTime() - now) / DAY_MS);
}

/** "today", "3 days ago", "in 2 months" (the exact time goes in the tooltip). */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const days = relativeDays(iso, now);
  if (days === 0) return "today";
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (Math.abs(days) < 60) return format.format(days, "day");
  return format.format(Math.round(days / 30), "month");
}
