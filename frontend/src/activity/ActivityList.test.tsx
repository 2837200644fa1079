import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { type ActivityEvent, ActivityList } from "./ActivityList";

const event = (overrides: Partial<ActivityEvent>): ActivityEvent => ({
  __typename: "ActivityEvent",
  id: "e1",
  occurredAt: "2026-11-30T15:00:00Z",
  actor: { __typename: "Actor", kind: "ADMIN", id: "dev-admin-WSOR", name: "WSOR administrator" },
  actorIsStaff: false,
  action: "apiKey.update",
  outcome: "SUCCEEDED",
  targetType: "ApiKey",
  targetId: "QXBpS2V5OjE=",
  reason: null,
  requestId: "r1",
  clientAddress: "198.51.100.7",
  before: { description: "ERP", scopes: ["CARRIER_READ"], version: 1 },
  after: { description: "ERP", scopes: ["CARRIER_READ", "KEYS_READ"], version: 2 },
  carrier: { __typename: "Carrier", id: "c1", code: "WSOR" },
  ...overrides,
});

describe("ActivityList", () => {
  it("shows each event's carrier and, on request, what it changed in the API's terms", async () => {
    render(<ActivityList events={[event({}), event({ id: "e2", action: "enablement.setForOrganization", carrier: null, targetType: "Organization", before: null, after: null })]} />);
    const [, first, second] = screen.getAllByRole("row");
    expect(first?.textContent).toContain("apiKey.update · WSOR");
    expect(second?.textContent).toContain("enablement.setForOrganization · organization");
    const changes = within(first as HTMLElement).getAllByRole("cell").at(-1) as HTMLElement;
    await userEvent.setup().click(within(changes).getByText("1 field"));
    expect(within(changes).getByRole("term").textContent).toBe("scopes");
    expect(within(changes).getByRole("definition").textContent).toBe("CARRIER_READ → CARRIER_READ, KEYS_READ");
    expect(within(second as HTMLElement).getAllByRole("cell").at(-1)?.textContent).toBe("—");
  });

  it("marks refused attempts", () => {
    render(<ActivityList events={[event({ outcome: "REFUSED", action: "mutation.setCarrierEnablement" })]} />);
    expect(screen.getAllByRole("row")[1]?.className).toBe("refused");
  });
});
