import { describe, expect, it } from "vitest";
import { pageSize, WANTED } from "./pageSize";

const SERVER_DEFAULTS = { defaultPageSize: 20, maxPageSize: 100 };

describe("pageSize", () => {
  it("asks for what the page wants while the server allows it", () => {
    expect(pageSize(WANTED.keys, SERVER_DEFAULTS)).toBe(50);
    expect(pageSize(WANTED.switcher, SERVER_DEFAULTS)).toBe(100);
  });

  it("asks for no more than the server's maximum when a deployment lowers it", () => {
    const lowered = { defaultPageSize: 2, maxPageSize: 2 };
    for (const wanted of Object.values(WANTED)) expect(pageSize(wanted, lowered)).toBe(2);
    expect(pageSize(WANTED.organizationCarriers, { defaultPageSize: 20, maxPageSize: 30 })).toBe(30);
  });

  it("asks for at least one item and whole items", () => {
    expect(pageSize(0, SERVER_DEFAULTS)).toBe(1);
    expect(pageSize(-5, SERVER_DEFAULTS)).toBe(1);
    expect(pageSize(7.9, SERVER_DEFAULTS)).toBe(7);
    expect(pageSize(10, { defaultPageSize: 1, maxPageSize: 1 })).toBe(1);
  });
});
