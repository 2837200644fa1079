import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { POLICY } from "../test/policy";
import { KeyFilters, type KeyFilterState, keyQuery, NO_FILTERS } from "./KeyFilters";

describe("key filters", () => {
  it("ask the server for what is chosen; 'expiring soon' is the policy's window", () => {
    expect(keyQuery(NO_FILTERS, 7)).toEqual({
      filter: { search: null, status: null, scope: null, expiringWithinDays: null, unusedSince: null },
      orderBy: { field: "CREATED_AT", direction: "ASC" },
    });
    const chosen: KeyFilterState = { ...NO_FILTERS, search: " erp ", status: "ACTIVE", scope: "KEYS_READ", expiringSoon: true, order: "LAST_USED_AT:DESC" };
    expect(keyQuery(chosen, 7)).toEqual({
      filter: { search: "erp", status: "ACTIVE", scope: "KEYS_READ", expiringWithinDays: 7, unusedSince: null },
      orderBy: { field: "LAST_USED_AT", direction: "DESC" },
    });
  });

  it("offer the most and least used keys of the last 30 days", async () => {
    let latest: KeyFilterState = NO_FILTERS;
    function Harness() {
      const [value, setValue] = useState(NO_FILTERS);
      latest = value;
      return <KeyFilters value={value} onChange={setValue} scopes={POLICY.scopes} expiringSoonDays={7} unusedAfterDays={45} />;
    }
    render(<Harness />);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByRole("combobox", { name: "Order" }), "Most used (30 days)");
    expect(keyQuery(latest, 7).orderBy).toEqual({ field: "USES_LAST_30_DAYS", direction: "DESC" });
    await user.selectOptions(screen.getByRole("combobox", { name: "Order" }), "Least used (30 days)");
    expect(keyQuery(latest, 7).orderBy).toEqual({ field: "USES_LAST_30_DAYS", direction: "ASC" });
  });

  it("turn 'never used' and 'not used lately' into a moment fixed when chosen", async () => {
    let latest: KeyFilterState = NO_FILTERS;
    function Harness() {
      const [value, setValue] = useState(NO_FILTERS);
      latest = value;
      return <KeyFilters value={value} onChange={setValue} scopes={POLICY.scopes} expiringSoonDays={7} unusedAfterDays={45} />;
    }
    render(<Harness />);
    const user = userEvent.setup();
    expect(screen.getByRole("checkbox", { name: "Expiring soon (within 7 days)" })).toBeTruthy();
    // the permission filter names each scope in words, its code beside them
    expect(screen.getByRole("option", { name: "Read and write: API keys (KEYS_WRITE)" })).toBeTruthy();
    await user.selectOptions(screen.getByRole("combobox", { name: "Use" }), "Never used");
    expect(latest.unusedSince).toBe(new Date(0).toISOString());
    // "unused" is the policy's number, not the page's
    await user.selectOptions(screen.getByRole("combobox", { name: "Use" }), "Not used in 45 days");
    const since = Date.parse(latest.unusedSince ?? "");
    expect(Math.abs(Date.now() - 45 * 86_400_000 - since)).toBeLessThan(60_000);
  });
});
