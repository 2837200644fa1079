import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Permission } from "../permissions/permissions";
import { POLICY } from "../test/policy";
import { fakeClient, renderWith } from "../test/render";
import { CreateApiKeyForm } from "./CreateApiKeyForm";

const carrier = { id: "c1", code: "WSOR" };
const grantable = ["CARRIER_READ", "KEYS_READ", "KEYS_WRITE"] as const;
const ALLOWED: Permission = { allowed: true, reason: null };

function form(overrides: Partial<Parameters<typeof CreateApiKeyForm>[0]> = {}) {
  return (
    <CreateApiKeyForm
      owner={{ kind: "carrier", ...carrier }}
      policy={POLICY}
      permission={ALLOWED}
      grantable={grantable}
      viewerKind="ADMIN"
      onCreated={vi.fn()}
      onCancel={vi.fn()}
      onRefused={vi.fn()}
      {...overrides}
    />
  );
}

describe("CreateApiKeyForm", () => {
  it("shows a typed error at its field and keeps what was typed", async () => {
    const client = fakeClient(() => ({
      createApiKey: { __typename: "ValidationError", message: "Entry 1 is not an IP address", code: "INVALID", field: "ipAllowlist[0]" },
    }));
    renderWith(form(), client);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Production ERP integration");
    await user.click(screen.getByRole("button", { name: "Add an address or range" }));
    await user.type(screen.getByRole("textbox", { name: "Allowed address or range 1" }), "192.0.2.1");
    await user.click(screen.getByRole("checkbox", { name: /^CARRIER_READ/ }));
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const entry = screen.getByRole("textbox", { name: "Allowed address or range 1" });
    await waitFor(() => expect(entry.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByText("Entry 1 is not an IP address")).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Description" })).toHaveProperty("value", "Production ERP integration");
    expect(client.sent[0]?.variables).toMatchObject({
      input: { carrierId: "c1", description: "Production ERP integration", scopes: ["CARRIER_READ"], ipAllowlist: ["192.0.2.1"] },
    });
    // the policy's default lifetime: no expiry sent
    expect(client.sent[0]?.variables.input).not.toHaveProperty("expiresOn");
  });

  it("offers the viewer's scopes with the API's explanations, and shows what a scope includes", async () => {
    renderWith(form(), fakeClient(() => undefined));
    const labels = screen.getAllByRole("checkbox").map((box) => box.parentElement?.textContent?.split(" ")[0]);
    expect(labels).toEqual(["CARRIER_READ", "KEYS_READ", "KEYS_WRITE"]);
    expect(screen.getByRole("checkbox", { name: /^KEYS_READ/ }).parentElement?.textContent).toContain("never their secrets");
    const user = userEvent.setup();
    await user.click(screen.getByRole("checkbox", { name: /^KEYS_WRITE/ }));
    const included = screen.getByRole("checkbox", { name: /^KEYS_READ/ });
    expect(included).toHaveProperty("checked", true);
    expect(included).toHaveProperty("disabled", true);
    expect(included.parentElement?.textContent).toContain("(included in KEYS_WRITE)");
  });

  it("checks the allowlist as it is typed and waits for a valid one", async () => {
    renderWith(form(), fakeClient(() => undefined));
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("checkbox", { name: /^KEYS_READ/ }));
    await user.click(screen.getByRole("button", { name: "Add an address or range" }));
    await user.type(screen.getByRole("textbox", { name: "Allowed address or range 1" }), "10.0.0.1/8");
    expect(screen.getByText(/did you mean 10\.0\.0\.0\/8\?/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create API key" })).toHaveProperty("disabled", true);
  });

  it("reads the expiry's default and bounds from the policy and sends the day with the browser's time zone", async () => {
    const client = fakeClient(() => ({
      createApiKey: { __typename: "CreateApiKeyPayload", secret: "cak_test_x", replayed: false, apiKey: { __typename: "ApiKey", id: "k1", description: "Sync" } },
    }));
    renderWith(form({ policy: { ...POLICY, defaultLifetimeDays: 30, maxLifetimeDays: 60 } }), client);
    expect(screen.getByRole("radio", { name: /The policy’s default: 30 days/ })).toHaveProperty("checked", true);
    expect(screen.getByRole("group", { name: "Expiration" }).textContent).toContain("at most 60 days from now");
    expect(screen.getByRole("radio", { name: "Never expires" })).toHaveProperty("disabled", true);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "On a day I choose" }));
    const day = screen.getByLabelText("Stops working at the end of") as HTMLInputElement;
    const farAway = "2099-12-31";
    await user.clear(day);
    await user.type(day, farAway);
    expect(screen.getByText(/At most 60 days from now/)).toBeTruthy();
    await user.clear(day);
    await user.type(day, day.min);
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("checkbox", { name: /^KEYS_READ/ }));
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    await waitFor(() => expect(client.sent).toHaveLength(1));
    expect(client.sent[0]?.variables.input).toMatchObject({ expiresOn: day.min, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  });

  it("offers keys that never expire only where the policy allows them to this viewer, and sends neverExpires", async () => {
    const client = fakeClient(() => undefined);
    const lenient = { ...POLICY, nonExpiringAllowed: true, nonExpiringAllowedFor: ["STAFF" as const] };
    renderWith(form({ policy: lenient, viewerKind: "STAFF" }), client);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "Never expires" }));
    expect(screen.getByText(/Keys that don’t expire are a security risk/)).toBeTruthy();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Legacy mainframe bridge");
    await user.click(screen.getByRole("checkbox", { name: /^CARRIER_READ/ }));
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    await waitFor(() => expect(client.sent).toHaveLength(1));
    expect(client.sent[0]?.variables.input).toMatchObject({ neverExpires: true });
    expect(client.sent[0]?.variables.input).not.toHaveProperty("expiresOn");
  });

  it("is disabled with the API's reason when the carrier may not have a new key", () => {
    const reason = "API access (integrations.api_access) is off for this carrier: no key is issued until it is on.";
    renderWith(form({ permission: { allowed: false, reason } }), fakeClient(() => undefined));
    const create = screen.getByRole("button", { name: "Create API key" });
    expect(create).toHaveProperty("disabled", true);
    expect(document.getElementById(create.getAttribute("aria-describedby") ?? "")?.textContent).toContain(reason);
  });

  it("hands the secret over once the key is created, and forgets the draft", async () => {
    const onCreated = vi.fn();
    const client = fakeClient(() => ({
      createApiKey: {
        __typename: "CreateApiKeyPayload",
        secret: "cak_test_secret",
        replayed: false,
        apiKey: { __typename: "ApiKey", id: "k1", description: "Sync" },
      },
    }));
    renderWith(form({ onCreated }), client);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("checkbox", { name: /^KEYS_READ/ }));
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith("cak_test_secret", "Sync"));
    expect(sessionStorage.getItem("tools.draft.createApiKey:WSOR")).toBeNull();
  });
});
