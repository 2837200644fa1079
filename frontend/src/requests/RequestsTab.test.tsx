import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ADMIN, connectionPage, fakeClient, renderWith } from "../test/render";
import { RequestsTab } from "./RequestsTab";

const LOWERED = { defaultPageSize: 2, maxPageSize: 2 };

/** Five of the viewer's requests, newest first, as the connection pages them. */
const REQUESTS = [1, 2, 3, 4, 5].map((n) => ({
  __typename: "ChangeRequest",
  id: `r${n}`,
  kind: "DETACH_CARRIER",
  state: "OPEN",
  summary: `Request number ${n}`,
  reason: "Because",
  requestedAt: "2026-12-01T00:00:00Z",
  expiresAt: "2026-12-08T00:00:00Z",
  requestedBy: { __typename: "Actor", id: ADMIN.id, name: ADMIN.name },
  decidedAt: null,
  decidedBy: null,
  answer: null,
  conflict: null,
}));

function page(first: number, after: string | null) {
  return { changeRequests: connectionPage("ChangeRequestConnection", REQUESTS, first, after) };
}

describe("RequestsTab", () => {
  it("reads the viewer's requests a page at a time, within the server's limit, until the last", async () => {
    const client = fakeClient((operation, variables) =>
      operation === "RequestsTab" ? page(variables.first as number, (variables.after as string | null) ?? null) : undefined,
    );
    renderWith(<RequestsTab code="WSOR" />, client, ADMIN, LOWERED);

    await screen.findByText("Showing 2 of 5 requests.");
    await userEvent.click(screen.getByRole("button", { name: "Show more requests" }));
    await screen.findByText("Showing 4 of 5 requests.");
    await userEvent.click(screen.getByRole("button", { name: "Show more requests" }));
    await screen.findByText("Showing 5 of 5 requests.");

    // every request once, in the order the server gave them, and nothing more to ask for
    const list = screen.getByRole("list");
    expect(within(list).getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(REQUESTS.map((r) => r.summary));
    expect(screen.queryByRole("button", { name: "Show more requests" })).toBeNull();
    const asked = client.sent.filter((s) => s.name === "RequestsTab");
    expect(asked.every((s) => (s.variables.first as number) <= LOWERED.maxPageSize)).toBe(true);
    expect(asked.every((s) => (s.variables.filter as { mine?: boolean }).mine === true)).toBe(true);
  });
});
