// The key policy as the page uses it: every number comes from the API (apiKeyPolicy), and these helpers
// only turn them into what a form offers (dates a picker allows, grace periods, the "never" choice).
import type { ActorKind, ApiKeyPolicyFieldsFragment, KeyPolicyLevel } from "../gql/graphql";
import { addDaysTo, dayIn } from "../time/days";

export type KeyPolicy = ApiKeyPolicyFieldsFragment;

const DAY_MS = 86_400_000;

/** The levels of the key policy, named as a person reads them beside a limit ("set by …"). */
export const LEVEL_NAMES: Record<KeyPolicyLevel, string> = {
  PLATFORM: "the platform",
  ORGANIZATION: "the organization’s policy",
  CARRIER: "this carrier’s own policy (staff)",
};

/** "(set by the organization’s policy)": which level set a limit the form applies. */
export function setBy(level: KeyPolicyLevel): string {
  return `set by ${LEVEL_NAMES[level]}`;
}

/** Whether the policy requires an IP allowlist, and the words that say by whom. */
export function allowlistRule(policy: Pick<KeyPolicy, "allowlistRequired" | "allowlistRequiredSource">): string | null {
  return policy.allowlistRequired ? `An IP allowlist is required (${setBy(policy.allowlistRequiredSource)}).` : null;
}

export interface ExpiryBounds {
  /** The first day a key may end on: tomorrow in the zone shown (the end of today may be minutes away). */
  min: string;
  /**
   * The last day: the server allows at most maxLifetimeDays from now, and a day ends at its last
   * second in the zone shown, so the day maxLifetimeDays from today would end after that limit.
   */
  max: string;
}

export function expiryBounds(policy: KeyPolicy, zone: string, now = new Date()): ExpiryBounds {
  const today = dayIn(zone, now);
  return { min: addDaysTo(today, 1), max: addDaysTo(today, policy.maxLifetimeDays - 1) };
}

/** Where a lifetime of `days` from now ends. */
export function lifetimeEnd(days: number, now = new Date()): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** The lifetimes to offer, as the policy lists them (within its maximum, its default among them). */
export function lifetimeChoices(policy: KeyPolicy): number[] {
  return policy.lifetimeChoicesDays.filter((days) => days > 0 && days <= policy.maxLifetimeDays);
}

/** Whether this viewer may issue keys that never expire, as the policy says (staff, where allowed). */
export function mayIssueNonExpiring(policy: KeyPolicy, viewerKind: ActorKind): boolean {
  return policy.nonExpiringAllowed && policy.nonExpiringAllowedFor.includes(viewerKind);
}

/** The grace periods to offer after a rotation: the policy's choices, within its maximum. */
export function graceChoices(policy: KeyPolicy): number[] {
  return policy.gracePeriodChoicesSeconds.filter((seconds) => seconds >= 0 && seconds <= policy.maxGracePeriodSeconds);
}

export function describeGrace(seconds: number): string {
  if (seconds === 0) return "Stop the old key now";
  const units: [number, Intl.RelativeTimeFormatUnit][] = [
    [604_800, "week"],
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  const [size, unit] = units.find(([length]) => seconds % length === 0) ?? [1, "second"];
  const count = seconds / size;
  const named = new Intl.NumberFormat(undefined, { style: "unit", unit, unitDisplay: "long" }).format(count);
  return `Keep it working for ${named}`;
}
