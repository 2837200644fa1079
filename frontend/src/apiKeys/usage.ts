// A key's usage as the API counts it (per hour, by outcome; here by UTC day): the period the list's
// sparklines cover, totals, and how long the counts say a key has gone unused.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The list's sparklines and the usage panel's days: today's UTC day and the 29 before it. */
export const USAGE_DAYS = 30;
/** The panel's hours: the last two days. */
export const USAGE_HOURS = 48;

export interface UsageDay {
  start: string;
  served: number;
  refused: number;
}

/** The start of the UTC day `days - 1` days before today's: `days` buckets, today's included. */
export function daysSince(days = USAGE_DAYS, now = Date.now()): string {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return new Date(today - (days - 1) * DAY_MS).toISOString();
}

/** The start of the hour `hours - 1` hours before this one. */
export function hoursSince(hours = USAGE_HOURS, now = Date.now()): string {
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  return new Date(hour - (hours - 1) * HOUR_MS).toISOString();
}

export function totals(days: readonly UsageDay[]): { served: number; refused: number } {
  return days.reduce((sum, day) => ({ served: sum.served + day.served, refused: sum.refused + day.refused }), { served: 0, refused: 0 });
}

/**
 * Whole days since the key last served a request, by the counts: since the end of the last day with a
 * served request; with none in the counts, since `fallback` (its last use, else its creation), which
 * lies before them. Null when it has served a request today.
 */
export function daysUnused(days: readonly UsageDay[], fallback: string, now = Date.now()): number | null {
  const latest = days.filter((day) => day.served > 0).at(-1);
  const last = latest ? Date.parse(latest.start) + DAY_MS : Date.parse(fallback);
  if (last >= now) return null;
  return Math.floor((now - last) / DAY_MS);
}
