import { describe, expect, it } from "vitest";
import { POLICY as DEMO_POLICY } from "../test/policy";
import type { KeyPolicy } from "./policy";
import { describeGrace, expiryBounds, graceChoices, localDay, mayIssueNonExpiring } from "./policy";

const POLICY: KeyPolicy = { ...DEMO_POLICY, maxGracePeriodSeconds: 86_400 };

describe("the key policy in the page", () => {
  it("bounds the date picker by the policy: from tomorrow to the last day within the maximum", () => {
    const now = new Date(2026, 10, 30, 15, 0);
    const bounds = expiryBounds(POLICY, now);
    expect(bounds.min).toBe("2026-12-01");
    // the end of 2027-11-29 is before now + 365 days (2027-11-30 15:00); the end of 2027-11-30 is not
    expect(bounds.max).toBe("2027-11-29");
    expect(localDay(bounds.defaultEnd)).toBe("2027-02-28");
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
