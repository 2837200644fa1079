import { describe, expect, it } from "vitest";
import { activityArguments, ALL_ACTIVITY } from "./ActivityFilters";

describe("activity filters", () => {
  it("send nothing but the organization's events by default", () => {
    expect(activityArguments(ALL_ACTIVITY)).toEqual({
      action: null,
      outcome: null,
      actorId: null,
      since: null,
      until: null,
      includeOrganization: true,
    });
  });

  it("turn the chosen days into [start of the first, start of the day after the last) in the user's time zone", () => {
    const chosen = activityArguments({ ...ALL_ACTIVITY, from: "2026-11-02", to: "2026-11-30", outcome: "REFUSED", includeOrganization: false });
    expect(chosen.since).toBe(new Date(2026, 10, 2).toISOString());
    expect(chosen.until).toBe(new Date(2026, 11, 1).toISOString());
    expect(chosen).toMatchObject({ outcome: "REFUSED", includeOrganization: false });
  });
});
