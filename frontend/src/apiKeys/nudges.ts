import type { ApiKeyFieldsFragment } from "../gql/graphql";
import { REFUSAL_LABELS } from "./refusals";

// A key unused this long is worth a look. The policy has no such number (it is advice, not a rule the
// server enforces), so the page picks one and says it: the "unused" filter uses the same.
export const UNUSED_DAYS = 30;

const DAY_MS = 86_400_000;

export interface Nudge {
  kind: "neverExpires" | "expiringSoon" | "unused" | "anyAddress" | "refused";
  text: string;
}

/** What the best practices say about a key: never expiring, expiring soon, unused, open to any address, being refused. */
export function nudgesFor(key: ApiKeyFieldsFragment, expiringSoonDays: number, now = Date.now()): Nudge[] {
  const nudges: Nudge[] = [];
  const refusal = key.lastRefusal;
  // Refused since it last worked: an integration is failing (or still calls with a dead key).
  if (refusal && (!key.lastUsedAt || Date.parse(refusal.lastAt) > Date.parse(key.lastUsedAt))) {
    nudges.push({
      kind: "refused",
      text:
        key.status === "ACTIVE"
          ? `Being refused: ${REFUSAL_LABELS[refusal.reason]}. Check the integration using it.`
          : `Still being called after it stopped working: find the integration that uses it.`,
    });
  }
  if (key.status !== "ACTIVE") return nudges;
  if (!key.expiresAt) nudges.push({ kind: "neverExpires", text: "Never expires: rotate it to a key with an expiration date." });
  else if (isExpiringSoon(key, expiringSoonDays, now)) {
    nudges.push({ kind: "expiringSoon", text: "Expires soon: rotate it before integrations stop." });
  }
  if (!key.lastUsedAt) nudges.push({ kind: "unused", text: "Never used: revoke it if no integration needs it." });
  else if (now - new Date(key.lastUsedAt).getTime() > UNUSED_DAYS * DAY_MS) {
    nudges.push({ kind: "unused", text: `Unused for over ${UNUSED_DAYS} days: revoke it if no integration needs it.` });
  }
  if (key.ipAllowlist.length === 0) nudges.push({ kind: "anyAddress", text: "Any address can use it: limit it with an IP allowlist." });
  return nudges;
}

/** The policy's "expiring soon" (apiKeyPolicy.expiringSoonDays), as the server's filter reads it. */
export function isExpiringSoon(key: ApiKeyFieldsFragment, expiringSoonDays: number, now = Date.now()): boolean {
  if (key.status !== "ACTIVE" || !key.expiresAt) return false;
  const left = new Date(key.expiresAt).getTime() - now;
  return left >= 0 && left <= expiringSoonDays * DAY_MS;
}
