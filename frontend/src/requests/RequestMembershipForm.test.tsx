import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeClient, renderWith } from "../test/render";
import { RequestMembershipForm } from "./RequestMembershipForm";

const NECR = { id: "c-necr", code: "NECR", version: 3 };
const EAST = { __typename: "Organization", id: "o-east", name: "New England Lines" };
const WEST = { __typename: "Organization", id: "o-west", name: "Atlantic Lines" };

function reachable(...nodes: (typeof EAST)[]) {
  return { viewer: { __typename: "Viewer", organizations: { __typename: "OrganizationConnection", totalCount: nodes.length, nodes } } };
}

function answers(organizations: ReturnType<typeof reachable>) {
  return fakeClient((name) => {
    if (name === "ReachableOrganizations") return organizations;
    if (name === "MembershipPreview") return { membershipPreview: [] };
    if (name === "RequestChange") {
      return {
        requestChange: {
          __typename: "ChangeRequestPayload",
          changeRequest: { __typename: "ChangeRequest", id: "r1", state: "OPEN", summary: "Move NECR from New England Lines to Atlantic Lines" },
        },
      };
    }
    return undefined;
  });
}

describe("RequestMembershipForm", () => {
  it("offers the organizations in the viewer's reach but the carrier's own, and proposes the move as moveCarrier takes it", async () => {
    const client = answers(reachable(EAST, WEST));
    const onDone = vi.fn();
    renderWith(<RequestMembershipForm carrier={NECR} from={{ id: EAST.id, name: EAST.name }} onDone={onDone} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    const choices = await screen.findByRole("group", { name: "Move to" });
    expect([...choices.querySelectorAll("label")].map((label) => label.textContent)).toEqual(["Atlantic Lines"]);
    // nothing to send before the organization and the reason are given
    const send = screen.getByRole("button", { name: "Send request" });
    expect(send).toHaveProperty("disabled", true);
    await user.click(screen.getByRole("radio", { name: "Atlantic Lines" }));
    // the effect on the carrier's enablements, before asking
    expect(await screen.findByText("No feature of NECR changes: its effective values are the same in Atlantic Lines.")).toBeTruthy();
    await user.type(screen.getByLabelText("Why you need it (Support reads this)"), "NECR is sold to Atlantic");
    await user.click(send);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith("Move NECR from New England Lines to Atlantic Lines"));
    expect(client.sent.find((request) => request.name === "RequestChange")?.variables).toEqual({
      input: {
        reason: "NECR is sold to Atlantic",
        moveCarrier: { carrierId: "c-necr", fromOrganizationId: "o-east", toOrganizationId: "o-west", expectedVersion: 3 },
      },
    });
    // the directory of every organization is staff's: it is never asked for
    expect(client.sent.map((request) => request.name)).not.toContain("SearchOrganizations");
  });

  it("proposes adding a carrier in no organization as attachCarrier takes it", async () => {
    const client = answers(reachable(EAST));
    renderWith(<RequestMembershipForm carrier={NECR} from={null} onDone={vi.fn()} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("radio", { name: "New England Lines" }));
    await user.type(screen.getByLabelText("Why you need it (Support reads this)"), "Joining the group");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    await waitFor(() =>
      expect(client.sent.find((request) => request.name === "RequestChange")?.variables).toEqual({
        input: { reason: "Joining the group", attachCarrier: { carrierId: "c-necr", organizationId: "o-east", expectedVersion: 3 } },
      }),
    );
  });

  it("shows the API's refusal of the organization at the choice, and keeps it", async () => {
    const client = fakeClient((name) => {
      if (name === "ReachableOrganizations") return reachable(EAST);
      if (name === "MembershipPreview") return { membershipPreview: [] };
      return {
        requestChange: { __typename: "NotFoundError", message: "No organization with this id is within your reach.", code: "NOT_FOUND", field: "organizationId" },
      };
    });
    renderWith(<RequestMembershipForm carrier={NECR} from={null} onDone={vi.fn()} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("radio", { name: "New England Lines" }));
    await user.type(screen.getByLabelText("Why you need it (Support reads this)"), "Joining the group");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    const group = screen.getByRole("group", { name: "Organization to join" });
    await waitFor(() => expect(group.getAttribute("aria-invalid")).toBe("true"));
    const described = (group.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain("No organization with this id is within your reach.");
    expect(screen.getByRole("radio", { name: "New England Lines" })).toHaveProperty("checked", true);
  });

  it("with no other organization in reach, says why and what to do instead, and offers nothing to send", async () => {
    const client = answers(reachable(EAST));
    const onCancel = vi.fn();
    renderWith(<RequestMembershipForm carrier={NECR} from={{ id: EAST.id, name: EAST.name }} onDone={vi.fn()} onCancel={onCancel} />, client);
    const heading = await screen.findByRole("heading", { name: "No organization to choose" });
    const panel = screen.getByRole("region", { name: "No organization to choose" });
    expect(panel.textContent).toContain("New England Lines is the only organization within your reach");
    expect(panel.textContent).toContain("contact Support");
    expect(screen.queryByRole("button", { name: "Send request" })).toBeNull();
    // focus goes into what opened, so a screen reader hears why
    await waitFor(() => expect(document.activeElement).toBe(heading));
    await userEvent.setup().click(screen.getByRole("button", { name: "Close" }));
    expect(onCancel).toHaveBeenCalled();
    expect(client.sent.map((request) => request.name)).toEqual(["ReachableOrganizations"]);
  });

  it("for a carrier in no organization with none in reach, points to requesting a new organization", async () => {
    renderWith(<RequestMembershipForm carrier={NECR} from={null} onDone={vi.fn()} onCancel={vi.fn()} />, answers(reachable()));
    const panel = await screen.findByRole("region", { name: "No organization to choose" });
    expect(panel.textContent).toContain("No organization is within your reach");
    expect(panel.textContent).toContain("request one with “Create new Organization”");
  });
});
