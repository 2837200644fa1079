// The key policy as the page uses it: every number comes from the API (apiKeyPolicy), and these helpers
// only turn them into what a form offers (dates a picker allows, grace periods, the "never" choice).
import type { ActorKind, ApiKeyPolicyFieldsFragment } from "../gql/graphql";

export type KeyPolicy = ApiKeyPolicyFieldsFragment;

const DAY_MS = 86_400_000;

/** A day in the user's own calendar, as a date input holds it (yyyy-mm-dd). */
export function localDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function addDays(date: Date, days: number): Date {
  const next = new Date(date);
  next.setDate(next.getDate() + days);
  return next;
}

export interface ExpiryBounds {
  /** The first day a key may end on: tomorrow (the end of today may be only minutes away). */
  min: string;
  /**
   * The last day: the server allows at most maxLifetimeDays from now, and a day ends at its last
   * second in the user's time zone, so the day maxLifetimeDays from today would end after that limit.
   */
  max: string;
  /** Where the policy's default lifetime ends, counted from now. */
  defaultEnd: Date;
}

export function expiryBounds(policy: KeyPolicy, now = new Date()): ExpiryBounds {
  return {
    min: localDay(addDays(now, 1)),
    max: localDay(addDays(now, policy.maxLifetimeDays - 1)),
    defaultEnd: new Date(now.getTime() + policy.defaultLifetimeDays * DAY_MS),
  };
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

/** The time zone the user's date picks end in, sent with `expiresOn`. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
