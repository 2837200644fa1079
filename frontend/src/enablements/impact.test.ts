import { describe, expect, it } from "vitest";
import { carrierImpact, organizationImpact } from "./impact";

describe("the impact of a setting", () => {
  it("a carrier's own setting turns only that carrier", () => {
    expect(carrierImpact("UP", false, "ENABLED", false)).toEqual([{ code: "UP", before: false, after: true }]);
    expect(carrierImpact("UP", true, "ENABLED", false)).toEqual([]);
    expect(carrierImpact("UP", false, "INHERIT", true)).toEqual([{ code: "UP", before: false, after: true }]);
  });

  it("an organization's setting turns the carriers that inherit it, never an override", () => {
    const members = [
      { code: "A", state: "INHERIT" as const, effective: false },
      { code: "B", state: "DISABLED" as const, effective: false },
      { code: "C", state: "INHERIT" as const, effective: true },
    ];
    expect(organizationImpact(members, "ENABLED", false)).toEqual([{ code: "A", before: false, after: true }]);
    expect(organizationImpact(members, "INHERIT", false)).toEqual([{ code: "C", before: true, after: false }]);
  });
});
