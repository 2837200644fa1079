import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeClient, renderWith } from "../test/render";
import { CreateOrganizationForm } from "./CreateOrganizationForm";

const KCS = { id: "c-kcs", code: "KCS", name: "Kansas City Southern Railway", version: 3 };
const FOUND = [
  { __typename: "Carrier", id: "c-pw", code: "PW", name: "Providence and Worcester Railroad" },
  { __typename: "Carrier", id: "c-ns", code: "NS", name: "Norfolk Southern Railway" },
];

describe("CreateOrganizationForm", () => {
  it("sends this carrier and the ones added, and marks the one the server names at its own checkbox", async () => {
    const client = fakeClient((operation) => {
      if (operation === "UnattachedCarriers") return { carriers: { __typename: "CarrierConnection", totalCount: 2, nodes: FOUND } };
      return {
        createOrganization: {
          __typename: "AlreadyInOrganizationError",
          message: "Carrier NS already belongs to Gulf Coast Rail Partners; detach it first.",
          code: "ALREADY_IN_ORGANIZATION",
          field: "carrierIds[2]",
          currentOrganization: { __typename: "Organization", id: "o1", name: "Gulf Coast Rail Partners" },
        },
      };
    });
    renderWith(<CreateOrganizationForm carrier={KCS} onDone={vi.fn()} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    expect(screen.getByRole("checkbox", { name: "KCS — Kansas City Southern Railway (this carrier)" })).toHaveProperty("checked", true);
    await user.type(screen.getByLabelText("Organization name"), "Southern Plains Group");
    await user.type(screen.getByRole("searchbox", { name: "Find carriers in no organization" }), "r");
    await user.click(await screen.findByRole("button", { name: "Add PW — Providence and Worcester Railroad" }));
    await user.click(await screen.findByRole("button", { name: "Add NS — Norfolk Southern Railway" }));
    // an added carrier can be unticked and stays listed, to be ticked again
    const pw = screen.getByRole("checkbox", { name: "PW — Providence and Worcester Railroad" });
    await user.click(pw);
    expect(pw).toHaveProperty("checked", false);
    await user.click(pw);
    await user.click(screen.getByRole("button", { name: "Create organization" }));

    const ns = screen.getByRole("checkbox", { name: "NS — Norfolk Southern Railway" });
    await waitFor(() => expect(ns.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(ns.getAttribute("aria-describedby") ?? "")?.textContent).toContain("NS already belongs to Gulf Coast Rail Partners");
    expect(pw.getAttribute("aria-invalid")).toBeNull();
    const sent = client.sent.find((request) => request.name === "CreateOrganization");
    expect(sent?.variables).toEqual({ input: { name: "Southern Plains Group", carrierIds: ["c-kcs", "c-pw", "c-ns"] } });
    expect(screen.getByLabelText("Organization name")).toHaveProperty("value", "Southern Plains Group");
  });
});
