import { describe, expect, it } from "vitest";
import { everyNode, type Page } from "./everyPage";

/** A list of `count` items served `size` at a time, the cursor being the index after the page. */
function server(count: number, size: number) {
  const asked: string[] = [];
  const items = Array.from({ length: count }, (_, index) => `carrier ${index + 1}`);
  const pageFrom = (start: number): Page<string> => ({
    nodes: items.slice(start, start + size),
    pageInfo: { hasNextPage: start + size < count, endCursor: String(Math.min(start + size, count)) },
  });
  const next = async (after: string) => {
    asked.push(after);
    return pageFrom(Number(after));
  };
  return { first: pageFrom(0), next, asked, items };
}

describe("everyNode", () => {
  it("reads the pages after the first until the last, in order", async () => {
    const list = server(5, 2);
    expect(await everyNode(list.first, list.next)).toEqual(list.items);
    expect(list.asked).toEqual(["2", "4"]);
  });

  it("asks for nothing more when the first page holds the whole list", async () => {
    const list = server(3, 100);
    expect(await everyNode(list.first, list.next)).toEqual(list.items);
    expect(list.asked).toEqual([]);
  });

  it("fails when a page cannot be read, or more pages follow without a cursor", async () => {
    const list = server(5, 2);
    await expect(everyNode(list.first, () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    const noCursor: Page<string> = { nodes: ["a"], pageInfo: { hasNextPage: true, endCursor: null } };
    await expect(everyNode(noCursor, list.next)).rejects.toThrow("no cursor");
  });
});
