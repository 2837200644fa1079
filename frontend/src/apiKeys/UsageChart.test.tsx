import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { UsageChart } from "./UsageChart";

const BUCKETS = [
  { __typename: "ApiKeyUsageBucket" as const, start: "2026-06-01T00:00:00+00:00", served: 0, refused: 0, counts: [] },
  {
    __typename: "ApiKeyUsageBucket" as const,
    start: "2026-06-02T00:00:00+00:00",
    served: 42,
    refused: 5,
    counts: [
      { __typename: "ApiKeyUseCount" as const, outcome: "RATE_LIMITED" as const, count: 5 },
      { __typename: "ApiKeyUseCount" as const, outcome: "SERVED" as const, count: 42 },
    ],
  },
];

describe("UsageChart", () => {
  it("draws a bar for each bucket with uses, refusals in their own colour, and lists the same numbers", () => {
    const { container } = render(<UsageChart buckets={BUCKETS} interval="day" zone="UTC" title="ERP, by day" />);
    expect(container.querySelectorAll("rect.served")).toHaveLength(1);
    expect(container.querySelectorAll("rect.refused")).toHaveLength(1);
    const table = screen.getByRole("table", { name: "ERP, by day, the numbers" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => [...row.children].map((cell) => cell.textContent))).toEqual([
      ["Jun 1, 2026", "0", "0", ""],
      ["Jun 2, 2026", "42", "5", "rate limited: 5"],
    ]);
  });
});
