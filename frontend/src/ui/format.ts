// Dates and times as people read them, in their own locale and time zone.

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });
}

export function relativeDays(iso: string, now = Date.now()): number {
  return Math.round((new Date(iso).getTime() - now) / 86_400_000);
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const days = relativeDays(iso, now);
  if (days === 0) return "today";
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (Math.abs(days) < 60) return format.format(days, "day");
  return format.format(Math.round(days / 30), "month");
}
