// An activity event's `before` and `after` (the object's relevant fields, in the API's terms: global
// ids, scope names) as the lines a person reads: each field that changed, from what to what.

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

type Fields = Record<string, unknown>;

const asFields = (value: unknown): Fields | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : null;

export function show(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map((item) => show(item) ?? "—").join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The fields that differ (all of them for a creation or a deletion), in a stable order. */
export function changesOf(before: unknown, after: unknown): FieldChange[] {
  const old = asFields(before) ?? {};
  const now = asFields(after) ?? {};
  const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  return fields
    .filter((field) => field !== "version" && JSON.stringify(old[field]) !== JSON.stringify(now[field]))
    .map((field) => ({ field, before: show(old[field]), after: show(now[field]) }))
    .filter((change) => change.before !== change.after);
}
