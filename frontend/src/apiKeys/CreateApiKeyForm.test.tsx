import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Permission } from "../permissions/permissions";
import { chooseTimeZone } from "../time/zone";
import { POLICY } from "../test/policy";
import { fakeClient, renderWith } from "../test/render";
import { CreateApiKeyForm } from "./CreateApiKeyForm";

const carrier = { id: "c1", code: "WSOR" };
const grantable = ["CARRIER_READ", "KEYS_READ", "KEYS_WRITE"] as const;
const ALLOWED: Permission = { allowed: true, reason: null };
const CREATED = {
  createApiKey: {
    __typename: "CreateApiKeyPayload",
    secret: "cak_test_secret",
    replayed: false,
    apiKey: { __typename: "ApiKey", id: "k1", description: "Sync", ipAllowlist: ["192.0.2.0/24"] },
  },
};

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

/** Fill in what every key needs, review it, and create it. */
async function reviewAndCreate(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: "Review the key" }));
  await screen.findByRole("heading", { name: "Review the new API key" });
  await user.click(screen.getByRole("button", { name: "Create API key" }));
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
    await user.click(screen.getByRole("radio", { name: /^Read CARRIER_READ/ }));
    await reviewAndCreate(user);
    const entry = await screen.findByRole("textbox", { name: "Allowed address or range 1" });
    await waitFor(() => expect(entry.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByText("Entry 1 is not an IP address")).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Description" })).toHaveProperty("value", "Production ERP integration");
    expect(client.sent[0]?.variables).toMatchObject({
      input: { carrierId: "c1", description: "Production ERP integration", scopes: ["CARRIER_READ"], ipAllowlist: ["192.0.2.1"] },
    });
    // the policy's default lifetime: no expiry sent, the server counts it
    expect(client.sent[0]?.variables.input).not.toHaveProperty("expiresOn");
    expect(client.sent[0]?.variables.input).not.toHaveProperty("expiresAt");
  });

  it("offers each resource as no access, read, or read and write, with the scope codes beside them", async () => {
    renderWith(form(), fakeClient(() => undefined));
    const groups = screen.getAllByRole("group").map((group) => group.querySelector("legend")?.textContent);
    expect(groups).toEqual(expect.arrayContaining(["Permissions", "Carrier and organization", "API keys"]));
    // the viewer cannot hand out what it does not hold: those resources are not offered
    expect(groups).not.toContain("Activity log");
    const keys = screen.getByRole("group", { name: "API keys" });
    expect(keys.textContent).toContain("Read and write");
    expect(keys.textContent).toContain("never their secrets");
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: /^Read and write KEYS_WRITE/ }));
    expect(screen.getByRole("radio", { name: /^Read KEYS_READ/ })).toHaveProperty("checked", false);
    await user.click(screen.getByRole("radio", { name: /^Read KEYS_READ/ }));
    expect(screen.getByRole("radio", { name: /^Read and write KEYS_WRITE/ })).toHaveProperty("checked", false);
  });

  it("keeps the button reachable while something is missing, says what, and shows it at the field when pressed", async () => {
    const client = fakeClient(() => undefined);
    renderWith(form(), client);
    const user = userEvent.setup();
    const review = screen.getByRole("button", { name: "Review the key" });
    expect(review).toHaveProperty("disabled", false);
    expect(review.getAttribute("aria-disabled")).toBe("true");
    expect(document.getElementById(review.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Before reviewing the key: add a description; give the key access to at least one resource.",
    );
    await user.click(review);
    const description = screen.getByRole("textbox", { name: "Description" });
    expect(description.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Add a description so anyone can tell what this key is for.")).toBeTruthy();
    expect(screen.getByText("Choose what the key may reach: at least one resource.")).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(description));
    expect(client.sent).toHaveLength(0);
    await user.type(description, "Sync");
    await user.click(screen.getByRole("button", { name: "Add an address or range" }));
    await user.type(screen.getByRole("textbox", { name: "Allowed address or range 1" }), "10.0.0.1/8");
    expect(screen.getByText(/did you mean 10\.0\.0\.0\/8\?/)).toBeTruthy();
    expect(document.getElementById(review.getAttribute("aria-describedby") ?? "")?.textContent).toContain("correct the IP allowlist");
  });

  it("reviews the key before creating it: these rights, from these addresses, until this date", async () => {
    const client = fakeClient(() => CREATED);
    const onCreated = vi.fn();
    renderWith(form({ onCreated }), client);
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("button", { name: "Add an address or range" }));
    await user.type(screen.getByRole("textbox", { name: "Allowed address or range 1" }), "192.0.2.0/24");
    await user.click(screen.getByRole("radio", { name: /^Read and write KEYS_WRITE/ }));
    await user.click(screen.getByRole("radio", { name: /^30 days/ }));
    await user.click(screen.getByRole("button", { name: "Review the key" }));
    const review = (await screen.findByRole("heading", { name: "Review the new API key" })).parentElement as HTMLElement;
    expect(review.textContent).toContain("These rights on WSOR");
    expect(review.textContent).toContain("Read and write: API keys");
    expect(review.textContent).toContain("192.0.2.0/24");
    expect(review.textContent).toContain("(30 days from now)");
    expect(client.sent).toHaveLength(0);
    // back to edit keeps everything
    await user.click(screen.getByRole("button", { name: "Back to edit" }));
    expect(screen.getByRole("textbox", { name: "Description" })).toHaveProperty("value", "Sync");
    await reviewAndCreate(user);
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith("cak_test_secret", "Sync", ["192.0.2.0/24"]));
    const sent = client.sent[0]?.variables.input as Record<string, string>;
    expect(Math.abs(Date.parse(sent.expiresAt ?? "") - Date.now() - 30 * 86_400_000)).toBeLessThan(60_000);
    expect(sessionStorage.getItem("tools.draft.createApiKey:WSOR")).toBeNull();
  });

  it("offers the policy's lifetimes with the date each ends, its bounds, and sends a chosen day with the zone shown", async () => {
    chooseTimeZone("Asia/Tokyo");
    const client = fakeClient(() => CREATED);
    renderWith(form({ policy: { ...POLICY, defaultLifetimeDays: 30, maxLifetimeDays: 60, lifetimeChoicesDays: [7, 30, 60] } }), client);
    expect(screen.getByRole("radio", { name: /^30 days, until .* \(the policy’s default\)$/ })).toHaveProperty("checked", true);
    expect(screen.getAllByRole("radio", { name: /^\d+ days, until/ }).map((radio) => radio.parentElement?.textContent?.split(",")[0])).toEqual([
      "7 days",
      "30 days",
      "60 days",
    ]);
    expect(screen.getByRole("group", { name: "Expiration" }).textContent).toContain("at most 60 days from now");
    expect(screen.getByRole("radio", { name: "Never expires" })).toHaveProperty("disabled", true);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "On a day I choose" }));
    const day = screen.getByLabelText("Stops working at the end of") as HTMLInputElement;
    await user.clear(day);
    await user.type(day, "2099-12-31");
    expect(screen.getByText(/At most 60 days from now/)).toBeTruthy();
    await user.clear(day);
    await user.type(day, day.min);
    expect(screen.getByText(/The end of that day in Asia\/Tokyo: /)).toBeTruthy();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sync");
    await user.click(screen.getByRole("radio", { name: /^Read KEYS_READ/ }));
    await reviewAndCreate(user);
    await waitFor(() => expect(client.sent).toHaveLength(1));
    expect(client.sent[0]?.variables.input).toMatchObject({ expiresOn: day.min, timeZone: "Asia/Tokyo" });
    chooseTimeZone(null);
  });

  it("offers keys that never expire only where the policy allows them to this viewer, and sends neverExpires", async () => {
    const client = fakeClient(() => CREATED);
    const lenient = { ...POLICY, nonExpiringAllowed: true, nonExpiringAllowedFor: ["STAFF" as const] };
    renderWith(form({ policy: lenient, viewerKind: "STAFF" }), client);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "Never expires" }));
    expect(screen.getByText(/Keys that don’t expire are a security risk/)).toBeTruthy();
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Legacy mainframe bridge");
    await user.click(screen.getByRole("radio", { name: /^Read CARRIER_READ/ }));
    await reviewAndCreate(user);
    await waitFor(() => expect(client.sent).toHaveLength(1));
    expect(client.sent[0]?.variables.input).toMatchObject({ neverExpires: true });
    expect(client.sent[0]?.variables.input).not.toHaveProperty("expiresOn");
  });

  it("says the API's reason at the button when the carrier may not have a new key, and sends nothing", async () => {
    const reason = "API access (integrations.api_access) is off for this carrier: no key is issued until it is on.";
    const client = fakeClient(() => undefined);
    renderWith(form({ permission: { allowed: false, reason } }), client);
    const review = screen.getByRole("button", { name: "Review the key" });
    expect(review.getAttribute("aria-disabled")).toBe("true");
    expect(document.getElementById(review.getAttribute("aria-describedby") ?? "")?.textContent).toContain(reason);
    await userEvent.setup().click(review);
    expect(client.sent).toHaveLength(0);
    expect(screen.queryByRole("heading", { name: "Review the new API key" })).toBeNull();
  });

  it("offers only what the carrier's key policy allows, naming the level that set each limit", async () => {
    const governed = {
      ...POLICY,
      maxLifetimeDays: 30,
      maxLifetimeDaysSource: "ORGANIZATION" as const,
      lifetimeChoicesDays: [7, 30],
      defaultLifetimeDays: 30,
      allowlistRequired: true,
      allowlistRequiredSource: "ORGANIZATION" as const,
      allowedScopes: ["CARRIER_READ", "KEYS_READ"] as ("CARRIER_READ" | "KEYS_READ")[],
      allowedScopesSource: "CARRIER" as const,
      scopes: POLICY.scopes.map((scope) =>
        scope.scope === "KEYS_WRITE" ? { ...scope, allowed: false, notAllowedBy: "CARRIER" as const } : scope,
      ),
    };
    renderWith(form({ policy: governed }), fakeClient(() => undefined));
    expect(screen.getByRole("radio", { name: /^Read and write KEYS_WRITE/ })).toHaveProperty("disabled", true);
    expect(screen.getByRole("group", { name: "API keys" }).textContent).toContain("not allowed: set by this carrier’s own policy");
    expect(screen.getByText(/at most 30 days from now \(set by the organization’s policy/)).toBeTruthy();
    expect(screen.getByText("An IP allowlist is required (set by the organization’s policy).")).toBeTruthy();
    expect(screen.queryByRole("radio", { name: /^60 days/ })).toBeNull();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Review the key" }));
    expect(screen.getByText(/add an IP allowlist \(the key policy requires one\)/)).toBeTruthy();
  });
});
