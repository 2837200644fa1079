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
  targetName: "ERP (cak_test_…Ab12)",
  reason: null,
  requestId: "r1",
  clientAddress: "198.51.100.7",
  before: { description: "ERP", scopes: ["CARRIER_READ"], version: 1 },
  after: { description: "ERP", scopes: ["CARRIER_READ", "KEYS_READ"], version: 2 },
  carrier: { __typename: "Carrier", id: "c1", code: "WSOR" },
  ...overrides,
});

describe("ActivityList", () => {
  it("says what happened as a sentence naming its target and, on request, what it changed in the API's terms", async () => {
    render(
      <ActivityList
        events={[
          event({}),
          event({
            id: "e2",
            action: "enablement.setForOrganization",
            carrier: null,
            targetType: "Organization",
            targetName: "Great Lakes Short Line Group",
            before: { feature: "operations.yard_check", featureName: "Yard checks", state: "INHERIT" },
            after: { feature: "operations.yard_check", featureName: "Yard checks", state: "ENABLED" },
          }),
        ]}
      />,
    );
    const [, first, second] = screen.getAllByRole("row");
    expect(first?.textContent).toContain("WSOR administrator changed the API key “ERP (cak_test_…Ab12)”: its permissions (WSOR).");
    expect(first?.textContent).toContain("API key changed (apiKey.update)");
    expect(second?.textContent).toContain("set Yard checks to on for the organization Great Lakes Short Line Group (it was inherit).");
    const changes = within(first as HTMLElement).getAllByRole("cell").at(-1) as HTMLElement;
    await userEvent.setup().click(within(changes).getByText("1 field"));
    expect(within(changes).getByRole("term").textContent).toBe("scopes");
    expect(within(changes).getByRole("definition").textContent).toBe("CARRIER_READ → CARRIER_READ, KEYS_READ");
    expect(within(second as HTMLElement).getAllByRole("cell").at(-1)?.textContent).toContain("1 field");
  });

  it("shows the expiry job as the system, not as staff", () => {
    render(
      <ActivityList
        events={[
          event({
            action: "apiKey.expired",
            actor: { __typename: "Actor", kind: "SYSTEM", id: "system", name: "carrier-admin" },
            actorIsStaff: true,
            before: null,
            after: { hint: "cak_test_…Ab12", description: "ERP", expiresAt: "2026-11-30T15:00:00Z" },
          }),
        ]}
      />,
    );
    const row = screen.getAllByRole("row")[1];
    expect(row?.textContent).toContain("The system automatic noticed that the API key “ERP (cak_test_…Ab12)” has expired");
    expect(row?.textContent).not.toContain("staff");
    expect(row?.textContent).not.toContain("carrier-admin");
  });

  it("says a rotated key's grace period was ended early, and from when to when", () => {
    render(
      <ActivityList
        events={[
          event({
            action: "apiKey.revoke",
            reason: "Cut over",
            before: { hint: "cak_test_…Ab12", status: "ACTIVE", revokedAt: "2026-12-01T15:00:00Z" },
            after: { hint: "cak_test_…Ab12", status: "REVOKED", revokedAt: "2026-11-30T15:00:00Z" },
          }),
        ]}
      />,
    );
    const row = screen.getAllByRole("row")[1];
    expect(row?.textContent).toContain("ended the grace period of the rotated API key “ERP (cak_test_…Ab12)” early: it would have worked until");
    expect(row?.textContent).toContain("Why: “Cut over”");
  });

  it("marks refused attempts", () => {
    render(<ActivityList events={[event({ outcome: "REFUSED", action: "mutation.setCarrierEnablement" })]} />);
    expect(screen.getAllByRole("row")[1]?.className).toBe("refused");
  });

  it("says which rules of a key policy a change set", () => {
    render(
      <ActivityList
        events={[
          event({
            action: "keyPolicy.setForOrganization",
            carrier: null,
            targetType: "Organization",
            targetName: "Prairie Regional Holdings",
            before: { ownerName: "Prairie Regional Holdings", maxLifetimeDays: null, allowlistRequired: null, version: 0 },
            after: { ownerName: "Prairie Regional Holdings", maxLifetimeDays: 60, allowlistRequired: true, version: 1 },
          }),
        ]}
      />,
    );
    const [, row] = screen.getAllByRole("row");
    expect(row?.textContent).toContain(
      "set the key policy of the organization Prairie Regional Holdings: longest lifetime 60 days, IP allowlist required",
    );
    expect(row?.textContent).toContain("Key policy set for an organization (keyPolicy.setForOrganization)");
  });
});
