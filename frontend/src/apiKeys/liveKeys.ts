import type { ApiKeyFieldsFragment } from "../gql/graphql";

/** Keys as the live changes last told them, by id. */
export type LatestKeys = ReadonlyMap<string, ApiKeyFieldsFragment>;

/** Remembers a key as an event told it. */
export function remembered(latest: LatestKeys, key: ApiKeyFieldsFragment): LatestKeys {
  const known = latest.get(key.id);
  if (known && known.version > key.version) return latest;
  return new Map(latest).set(key.id, key);
}

/**
 * The keys shown, each as it is now: a page read before a change (an earlier page of "show more", or
 * the list while its refetch is under way) shows the key as the change's event told it. An event's key
 * is newer than a listed copy of the same or an older version (expiry changes a key's status, not its
 * version); a listed copy of a newer version wins.
 */
export function withLatest(keys: readonly ApiKeyFieldsFragment[], latest: LatestKeys): ApiKeyFieldsFragment[] {
  if (latest.size === 0) return [...keys];
  return keys.map((key) => {
    const told = latest.get(key.id);
    return withPredecessor(told && told.version >= key.version ? told : key, latest);
  });
}

/**
 * A replacement names the key it replaced (rotatedFrom): when an event told of that key since (its
 * grace period ended early, it expired), the replacement says so too. A grace period only ever ends
 * earlier, and a key once stopped stays stopped: the earlier end and the stopped status win.
 */
function withPredecessor(key: ApiKeyFieldsFragment, latest: LatestKeys): ApiKeyFieldsFragment {
  const named = key.rotatedFrom;
  const told = named ? latest.get(named.id) : undefined;
  if (!named || !told) return key;
  const ends = [named.revokedAt, told.revokedAt].filter((at): at is string => at !== null).sort((a, b) => Date.parse(a) - Date.parse(b));
  const status = named.status !== "ACTIVE" ? named.status : told.status;
  return { ...key, rotatedFrom: { ...named, status, revokedAt: ends[0] ?? null } };
}
