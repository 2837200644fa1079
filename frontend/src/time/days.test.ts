import { describe, expect, it } from "vitest";
import { addDaysTo, dayIn, startOfDay } from "./days";

const ZONES = ["UTC", "America/Chicago", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Sao_Paulo", "Pacific/Apia"];

describe("days in a time zone", () => {
  it("start each day of a year at the first instant that day has in the zone, across every change of daylight saving time", () => {
    for (const zone of ZONES) {
      for (let offset = 0; offset < 366; offset += 1) {
        const day = addDaysTo("2026-01-01", offset);
        const start = startOfDay(day, zone);
        expect(start, `${day} in ${zone}`).not.toBeNull();
        const instant = Date.parse(start ?? "");
        // the instant falls on that day there, and a second earlier falls on the day before
        expect(dayIn(zone, new Date(instant)), `${day} in ${zone}`).toBe(day);
        expect(dayIn(zone, new Date(instant - 1000)), `${day} in ${zone}`).toBe(addDaysTo(day, -1));
      }
    }
  });

  it("count calendar days whatever the month or year", () => {
    expect(addDaysTo("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDaysTo("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDaysTo("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("refuse text that is not a day", () => {
    expect(startOfDay("2026-13", "UTC")).toBeNull();
    expect(startOfDay("", "UTC")).toBeNull();
  });
});
