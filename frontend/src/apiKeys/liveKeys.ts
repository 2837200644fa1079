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
    return told && told.version >= key.version ? told : key;
  });
}
