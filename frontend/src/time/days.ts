// Calendar days in a time zone (not the browser's): what a date input holds (yyyy-mm-dd), the day an
// instant falls on there, and the instant a day starts there.

const pad = (value: number) => String(value).padStart(2, "0");

/** The day (yyyy-mm-dd) `date` falls on in `zone`. */
export function dayIn(zone: string, date: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(date);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "01";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The day `days` after `day` (yyyy-mm-dd; calendar arithmetic, no zone involved). */
export function addDaysTo(day: string, days: number): string {
  const [year, month, date] = day.split("-").map(Number);
  const next = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, (date ?? 1) + days));
  return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

/** How far `zone`'s clock is ahead of UTC at `instant`, in milliseconds. */
function offset(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant (ISO, UTC) `day` starts in `zone`; null for text that is not a day. */
export function startOfDay(day: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // The wall-clock midnight read as UTC, corrected by the zone's offset there (twice: the offset may
  // differ on either side of a change of daylight saving time).
  let instant = wall - offset(zone, wall);
  instant = wall - offset(zone, instant);
  return new Date(instant).toISOString();
}

/** "Jan 4, 2027" for a day (yyyy-mm-dd), whatever the zone. */
export function formatDay(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1)).toLocaleDateString(undefined, { dateStyle: "medium", timeZone: "UTC" });
}
