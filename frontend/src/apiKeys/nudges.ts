import { getFragmentData } from "../gql";
import { type ApiKeyFieldsFragment, ApiKeyRefusalFieldsFragmentDoc } from "../gql/graphql";
import type { KeyPolicy } from "./policy";
import { REFUSAL_LABELS } from "./refusals";
import { daysUnused, type UsageDay } from "./usage";

// The policy's numbers the advice uses: "expiring soon", and "unused" (the filter uses the same).
type Advice = Pick<KeyPolicy, "expiringSoonDays" | "unusedAfterDays">;

const DAY_MS = 86_400_000;

export interface Nudge {
  kind: "neverExpires" | "expiringSoon" | "unused" | "anyAddress" | "refused" | `policy:${string}`;
  text: string;
}

/**
 * What the best practices say about a key: never expiring, expiring soon, unused, open to any address,
 * being refused. With its daily usage counts, "unused" is read from them and says for how long.
 */
export function nudgesFor(key: ApiKeyFieldsFragment, policy: Advice, now = Date.now(), usage?: readonly UsageDay[]): Nudge[] {
  const nudges: Nudge[] = [];
  const refusal = getFragmentData(ApiKeyRefusalFieldsFragmentDoc, key.lastRefusal);
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
  // A key issued before the key policy was set or tightened: how it falls short, and what to do (the API's).
  for (const gap of key.policyGaps) {
    nudges.push({ kind: `policy:${gap.rule}`, text: `Does not meet the key policy: ${gap.message} ${gap.remedy}` });
  }
  // A key on its way out (revoked, expired, or rotated and in its grace period) needs no more advice.
  if (key.status !== "ACTIVE" || key.revokedAt) return nudges;
  if (!key.expiresAt) nudges.push({ kind: "neverExpires", text: "Never expires: rotate it to a key with an expiration date." });
  else if (isExpiringSoon(key, policy.expiringSoonDays, now)) {
    nudges.push({ kind: "expiringSoon", text: "Expires soon: rotate it before integrations stop." });
  }
  if (usage) {
    const idle = daysUnused(usage, key.lastUsedAt ?? key.createdAt, now);
    if (idle !== null && idle >= policy.unusedAfterDays) {
      nudges.push({ kind: "unused", text: `Unused for ${idle} days: revoke it?` });
    } else if (!key.lastUsedAt && !usage.some((day) => day.served > 0)) {
      nudges.push({ kind: "unused", text: "Never used: revoke it if no integration needs it." });
    }
  } else if (!key.lastUsedAt) nudges.push({ kind: "unused", text: "Never used: revoke it if no integration needs it." });
  else if (now - new Date(key.lastUsedAt).getTime() > policy.unusedAfterDays * DAY_MS) {
    nudges.push({ kind: "unused", text: `Unused for over ${policy.unusedAfterDays} days: revoke it if no integration needs it.` });
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
