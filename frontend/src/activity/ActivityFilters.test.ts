import { describe, expect, it } from "vitest";
import { activityArguments, ALL_ACTIVITY } from "./ActivityFilters";

describe("activity filters", () => {
  it("send nothing but the organization's events by default", () => {
    expect(activityArguments(ALL_ACTIVITY, "America/Chicago")).toEqual({
      action: null,
      outcome: null,
      actorId: null,
      since: null,
      until: null,
      includeOrganization: true,
    });
  });

  it("turn the chosen days into [start of the first, start of the day after the last) in the zone shown", () => {
    const days = { ...ALL_ACTIVITY, from: "2026-11-02", to: "2026-11-30", outcome: "REFUSED" as const, includeOrganization: false };
    const chosen = activityArguments(days, "America/Chicago");
    // Chicago left daylight saving time on 1 November: UTC-6 on both days
    expect(chosen.since).toBe("2026-11-02T06:00:00.000Z");
    expect(chosen.until).toBe("2026-12-01T06:00:00.000Z");
    expect(activityArguments(days, "UTC").since).toBe("2026-11-02T00:00:00.000Z");
    expect(activityArguments(days, "Asia/Kolkata").until).toBe("2026-11-30T18:30:00.000Z");
    expect(chosen).toMatchObject({ outcome: "REFUSED", includeOrganization: false });
  });
});
