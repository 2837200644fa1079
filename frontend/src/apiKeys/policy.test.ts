import { describe, expect, it } from "vitest";
import { POLICY as DEMO_POLICY } from "../test/policy";
import type { KeyPolicy } from "./policy";
import { describeGrace, expiryBounds, graceChoices, lifetimeChoices, mayIssueNonExpiring } from "./policy";

const POLICY: KeyPolicy = { ...DEMO_POLICY, maxGracePeriodSeconds: 86_400 };

describe("the key policy in the page", () => {
  it("bounds the date picker by the policy, in the zone shown: from tomorrow to the last day within the maximum", () => {
    const now = new Date("2026-11-30T21:00:00Z");
    const chicago = expiryBounds(POLICY, "America/Chicago", now);
    expect(chicago.min).toBe("2026-12-01");
    // the end of 2027-11-29 is before now + 365 days (2027-11-30 15:00 in Chicago); the end of 2027-11-30 is not
    expect(chicago.max).toBe("2027-11-29");
    // in Tokyo it is already the 1st of December
    expect(expiryBounds(POLICY, "Asia/Tokyo", now).min).toBe("2026-12-02");
  });

  it("offers the policy's lifetimes within its maximum", () => {
    expect(lifetimeChoices(POLICY)).toEqual([7, 30, 60, 90]);
    expect(lifetimeChoices({ ...POLICY, maxLifetimeDays: 45, lifetimeChoicesDays: [7, 30, 45, 60] })).toEqual([7, 30, 45]);
  });

  it("offers the policy's grace periods within its maximum", () => {
    expect(graceChoices(POLICY)).toEqual([0, 3600, 86_400]);
    expect(describeGrace(0)).toBe("Stop the old key now");
    expect(describeGrace(3600)).toMatch(/1 hour/);
    expect(describeGrace(604_800)).toMatch(/1 week/);
  });

  it("offers keys that never expire only to whom the policy names", () => {
    expect(mayIssueNonExpiring(POLICY, "STAFF")).toBe(false);
    const lenient = { ...POLICY, nonExpiringAllowed: true, nonExpiringAllowedFor: ["STAFF" as const] };
    expect(mayIssueNonExpiring(lenient, "STAFF")).toBe(true);
    expect(mayIssueNonExpiring(lenient, "ADMIN")).toBe(false);
  });
});
