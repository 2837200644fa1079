import { describe, expect, it } from "vitest";
import { apiKey } from "../test/keys";
import { nudgesFor } from "./nudges";
import { daysSince, daysUnused, totals, type UsageDay } from "./usage";

const DAY = 86_400_000;
const NOW = Date.parse("2026-06-30T15:00:00Z");
const ADVICE = { expiringSoonDays: 7, unusedAfterDays: 30 };

/** 30 UTC days ending today, with served requests on the days given (days ago: count). */
function month(served: Record<number, number> = {}, refused: Record<number, number> = {}): UsageDay[] {
  return Array.from({ length: 30 }, (_, index) => {
    const ago = 29 - index;
    return { start: new Date(Date.parse(daysSince(30, NOW)) + index * DAY).toISOString(), served: served[ago] ?? 0, refused: refused[ago] ?? 0 };
  });
}

describe("key usage", () => {
  it("covers today's UTC day and the 29 before it", () => {
    expect(daysSince(30, NOW)).toBe("2026-06-01T00:00:00.000Z");
    expect(totals(month({ 0: 5, 3: 7 }, { 1: 2 }))).toEqual({ served: 12, refused: 2 });
  });

  it("counts the days unused since the end of the last day that served a request", () => {
    expect(daysUnused(month({ 0: 1 }), "2026-01-01T00:00:00Z", NOW)).toBeNull();
    expect(daysUnused(month({ 5: 1 }), "2026-01-01T00:00:00Z", NOW)).toBe(4);
    // none in the counts: since the last use the key records (before the counts)
    expect(daysUnused(month(), "2026-05-16T15:00:00Z", NOW)).toBe(45);
  });

  it("nudge a key the counts say is unused for the policy's days, and not one they say is busy", () => {
    const idle = apiKey({ lastUsedAt: new Date(NOW - 45 * DAY).toISOString(), createdAt: new Date(NOW - 100 * DAY).toISOString() });
    expect(nudgesFor(idle, ADVICE, NOW, month()).map((nudge) => nudge.text)).toEqual(["Unused for 45 days: revoke it?"]);
    const busy = apiKey({ lastUsedAt: new Date(NOW - DAY).toISOString() });
    expect(nudgesFor(busy, ADVICE, NOW, month({ 1: 300 }))).toEqual([]);
    // refusals are not uses
    expect(nudgesFor(idle, ADVICE, NOW, month({}, { 2: 50 })).map((nudge) => nudge.kind)).toEqual(["unused"]);
  });
});
