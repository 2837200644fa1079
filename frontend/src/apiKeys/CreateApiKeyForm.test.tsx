import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeClient, renderWith } from "../test/render";
import { CreateApiKeyForm } from "./CreateApiKeyForm";

const carrier = { id: "c1", code: "WSOR" };
const grantable = ["CARRIER_READ", "KEYS_READ"] as const;

describe("CreateApiKeyForm", () => {
  it("shows a typed error at its field and keeps what was typed", async () => {
    const client = fakeClient(() => ({
      createApiKey: { __typename: "ValidationError", message: "Entry 1 is not an IP address", code: "INVALID", field: "ipAllowlist[0]" },
    }));
    renderWith(<CreateApiKeyForm carrier={carrier} grantable={grantable} onCreated={vi.fn()} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Production ERP integration");
    await user.click(screen.getByRole("button", { name: "Add an address or range" }));
    await user.type(screen.getByRole("textbox", { name: "Allowed address or range 1" }), "192.0.2.1");
    await user.click(screen.getByRole("checkbox", { name: /CARRIER_READ/ }));
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const entry = screen.getByRole("textbox", { name: "Allowed address or range 1" });
    await waitFor(() => expect(entry.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByText("Entry 1 is not an IP address")).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Description" })).toHaveProperty("value", "Production ERP integration");
    expect(client.sent[0]?.variables).toMatchObject({
      input: { carrierId: "c1", description: "Production ERP integration", scopes: ["CARRIER_READ"], ipAllowlist: ["192.0.2.1"], expiresAt: null },
    });
  });

  it("offers only the scopes the viewer holds, and waits for a valid allowlist", async () => {
    renderWith(<CreateApiKeyForm carrier={carrier} grantable={grantable} onCreated={vi.fn()} onCancel={vi.fn()} />, fakeClient(() => undefined));
    expect(screen.getAllByRole("checkbox").map((box) => box.parentElement?.textContent?.split(" ")[0])).toEqual(["CARRIER_READ", "KEYS_READ"]);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("checkbox", { name: /KEYS_READ/ }));
    await user.click(screen.getByRole("button", { name: "Add an address or range" }));
    await user.type(screen.getByRole("textbox", { name: "Allowed address or range 1" }), "10.0.0.1/8");
    expect(screen.getByText(/did you mean 10\.0\.0\.0\/8\?/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create API key" })).toHaveProperty("disabled", true);
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
    renderWith(<CreateApiKeyForm carrier={carrier} grantable={grantable} onCreated={onCreated} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("checkbox", { name: /KEYS_READ/ }));
    await user.click(screen.getByRole("button", { name: "Create API key" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith("cak_test_secret", "Sync"));
    expect(sessionStorage.getItem("tools.draft.createApiKey:WSOR")).toBeNull();
  });
});
