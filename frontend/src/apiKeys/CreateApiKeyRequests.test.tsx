// The create-key form's requests and refusals that come from the key policy: a key that never expires
// asked of Support where only staff may issue one, and a policy that leaves no permission at all.
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ActorKind } from "../gql/graphql";
import type { KeyPolicy } from "./policy";
import type { Permission } from "../permissions/permissions";
import { POLICY } from "../test/policy";
import { ADMIN, fakeClient, permission, renderWith } from "../test/render";
import { CreateApiKeyForm } from "./CreateApiKeyForm";

const ALLOWED: Permission = { allowed: true, reason: null };
// The platform allows keys that never expire, from staff only.
const STAFF_ONLY_NEVER: KeyPolicy = { ...POLICY, nonExpiringAllowed: true, nonExpiringAllowedFor: ["STAFF"] as ActorKind[] };
const MAY_REQUEST = { ...ADMIN, permissions: [...ADMIN.permissions, permission("requestChange")] };
const SUMMARY = "Let the key Sync (cak_test_…abcd) never expire";

function answers() {
  return fakeClient((name) => {
    if (name === "CreateApiKey") {
      return {
        createApiKey: {
          __typename: "CreateApiKeyPayload",
          secret: "cak_test_secret",
          replayed: false,
          apiKey: { __typename: "ApiKey", id: "k1", version: 1, description: "Sync", ipAllowlist: [] },
        },
      };
    }
    if (name === "RequestChange") {
      return { requestChange: { __typename: "ChangeRequestPayload", changeRequest: { __typename: "ChangeRequest", id: "r1", state: "OPEN", summary: SUMMARY } } };
    }
    return undefined;
  });
}

function form(onCreated = vi.fn(), policy = STAFF_ONLY_NEVER) {
  return (
    <CreateApiKeyForm
      owner={{ kind: "carrier", id: "c1", code: "WSOR" }}
      policy={policy}
      permission={ALLOWED}
      grantable={["CARRIER_READ", "KEYS_READ", "KEYS_WRITE"]}
      viewerKind="ADMIN"
      onCreated={onCreated}
      onCancel={vi.fn()}
      onRefused={vi.fn()}
    />
  );
}

describe("CreateApiKeyForm: requests and the key policy", () => {
  it("where only staff issue keys that never expire, creates the key as chosen and asks Support to let it never expire", async () => {
    const client = answers();
    const onCreated = vi.fn();
    renderWith(form(onCreated), client, MAY_REQUEST);
    const user = userEvent.setup();
    expect(screen.getByRole("radio", { name: "Never expires" })).toHaveProperty("disabled", true);
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("radio", { name: /^Read CARRIER_READ/ }));
    await user.click(screen.getByRole("checkbox", { name: "Request a key that never expires" }));
    // the reason is needed: the button says so, and pressing it goes to the field
    const review = screen.getByRole("button", { name: "Review the key" });
    expect(document.getElementById(review.getAttribute("aria-describedby") ?? "")?.textContent).toContain("say why the key must never expire");
    await user.click(review);
    const reason = screen.getByRole("textbox", { name: "Why it must never expire (Support reads this)" });
    await waitFor(() => expect(document.activeElement).toBe(reason));
    await user.type(reason, "Embedded in a locomotive's firmware");
    await user.click(review);
    expect((await screen.findByRole("region", { name: "Review the new API key" })).textContent).toContain(
      "You also ask Support to make this key never expire",
    );
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    // the key itself is made with the default expiry (nothing sent: the server counts it), never is not asked of it
    expect(client.sent.map((request) => request.name)).toEqual(["CreateApiKey", "RequestChange"]);
    expect(client.sent[0]?.variables.input).not.toHaveProperty("neverExpires");
    expect(client.sent[1]?.variables).toEqual({
      input: { reason: "Embedded in a locomotive's firmware", neverExpiringKey: { apiKeyId: "k1", expectedVersion: 1 } },
    });
    expect(onCreated).toHaveBeenCalledWith("cak_test_secret", "Sync", [], expect.stringContaining(`Requested from Support: ${SUMMARY}.`));
  });

  it("offers no request where a level of the policy forbids such keys (staff could not approve it), nor to whom requests are refused", () => {
    const { unmount } = renderWith(form(vi.fn(), { ...POLICY, nonExpiringAllowed: false, nonExpiringAllowedSource: "ORGANIZATION" }), answers(), MAY_REQUEST);
    expect(screen.queryByRole("checkbox", { name: "Request a key that never expires" })).toBeNull();
    expect(screen.getByText(/does not let you issue keys that never expire \(set by the organization’s policy\)/)).toBeTruthy();
    unmount();
    renderWith(form(), answers(), ADMIN);
    expect(screen.queryByRole("checkbox", { name: "Request a key that never expires" })).toBeNull();
  });

  it("says so, and which level, when the key policy allows no permission at all", async () => {
    const client = answers();
    renderWith(form(vi.fn(), { ...POLICY, allowedScopes: [], allowedScopesSource: "CARRIER" }), client, MAY_REQUEST);
    expect(screen.getByRole("note").textContent).toBe(
      "The key policy allows no permissions at all (set by this carrier’s own policy (staff)), so no key can be created for WSOR until it allows one. Staff set this carrier’s own policy: contact Support.",
    );
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    const review = screen.getByRole("button", { name: "Review the key" });
    expect(review.getAttribute("aria-disabled")).toBe("true");
    expect(document.getElementById(review.getAttribute("aria-describedby") ?? "")?.textContent).toContain(
      "the key policy allows no permissions, so no key can be created",
    );
    await user.click(review);
    expect(screen.queryByRole("heading", { name: "Review the new API key" })).toBeNull();
    expect(client.sent).toHaveLength(0);
  });
});
