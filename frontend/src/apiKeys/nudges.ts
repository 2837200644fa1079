import type { ApiKeyFieldsFragment } from "../gql/graphql";

// The window the "expiring soon" filter and nudge look ahead: a display choice of this page, not a
// key policy. TODO(issue 15): apiKeys(expiringWithinDays:) filters on the server.
export const EXPIRING_SOON_DAYS = 30;

export interface Nudge {
  kind: "neverExpires" | "unused" | "anyAddress" | "expiringSoon";
  text: string;
}

/** What the best practices say about an active key (GitHub's and Google Cloud's warnings). */
export function nudgesFor(key: ApiKeyFieldsFragment, now = Date.now()): Nudge[] {
  if (key.status !== "ACTIVE") return [];
  const nudges: Nudge[] = [];
  if (!key.expiresAt) nudges.push({ kind: "neverExpires", text: "Never expires: rotate it to a key with an expiration date." });
  else if (isExpiringSoon(key, now)) nudges.push({ kind: "expiringSoon", text: "Expires soon: rotate it before integrations stop." });
  if (!key.lastUsedAt) nudges.push({ kind: "unused", text: "Never used: revoke it if no integration needs it." });
  if (key.ipAllowlist.length === 0) nudges.push({ kind: "anyAddress", text: "Any address can use it: limit it with an IP allowlist." });
  return nudges;
}

export function isExpiringSoon(key: ApiKeyFieldsFragment, now = Date.now()): boolean {
  if (key.status !== "ACTIVE" || !key.expiresAt) return false;
  const left = new Date(key.expiresAt).getTime() - now;
  return left >= 0 && left <= EXPIRING_SOON_DAYS * 86_400_000;
}
