import { describe, expect, it } from "vitest";
import { changesOf } from "./changes";

describe("an event's changes", () => {
  it("lists the fields that differ, from what to what", () => {
    const before = { description: "ERP", scopes: ["CARRIER_READ"], ipAllowlist: [], version: 1 };
    const after = { description: "ERP", scopes: ["CARRIER_READ", "KEYS_READ"], ipAllowlist: ["198.51.100.0/24"], version: 2 };
    expect(changesOf(before, after)).toEqual([
      { field: "ipAllowlist", before: "none", after: "198.51.100.0/24" },
      { field: "scopes", before: "CARRIER_READ", after: "CARRIER_READ, KEYS_READ" },
    ]);
  });

  it("shows every field of a creation", () => {
    expect(changesOf(null, { hint: "cak_test_…Ab12", expiresAt: null, scopes: ["CARRIER_READ"] })).toEqual([
      { field: "hint", before: null, after: "cak_test_…Ab12" },
      { field: "scopes", before: null, after: "CARRIER_READ" },
    ]);
  });
});
