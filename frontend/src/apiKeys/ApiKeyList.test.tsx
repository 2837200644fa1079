import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { makeFragmentData } from "../gql";
import { type ApiKeyFieldsFragment, ApiKeyRefusalFieldsFragmentDoc } from "../gql/graphql";
import { apiKey } from "../test/keys";
import { POLICY } from "../test/policy";
import { fakeClient } from "../test/render";
import { Provider } from "urql";
import { ApiKeyList, type KeyActions } from "./ApiKeyList";
import { KeyPermissionsNotice } from "./KeyPermissionsNotice";

const ALLOWED = { allowed: true, reason: null };
const OFF = { allowed: false, reason: "API access (integrations.api_access) is off for this carrier: no key is issued until it is on." };

function list(keys: ApiKeyFieldsFragment[], actions: KeyActions = { update: ALLOWED, rotate: OFF, revoke: ALLOWED }, carrierOf?: (key: ApiKeyFieldsFragment) => string) {
  return render(
    <Provider value={fakeClient(() => undefined)}>
      <ApiKeyList keys={keys} policy={POLICY} actionsFor={() => actions} carrierOf={carrierOf} onEdit={vi.fn()} onRotate={vi.fn()} onRevoke={vi.fn()} />
    </Provider>,
  );
}

describe("ApiKeyList", () => {
  it("disables what the API refuses for the key and says why in the row", () => {
    list([apiKey()]);
    const rotate = screen.getByRole("button", { name: "Rotate Production ERP integration" });
    expect(rotate).toHaveProperty("disabled", true);
    expect(document.getElementById(rotate.getAttribute("aria-describedby") ?? "")?.textContent).toContain("API access (integrations.api_access) is off");
    expect(screen.getByRole("button", { name: "Edit Production ERP integration" })).toHaveProperty("disabled", false);
  });

  it("shows the last use and the last refusal side by side", () => {
    list([
      apiKey({
        lastRefusal: {
          __typename: "ApiKeyRefusal",
          ...makeFragmentData(
            {
              __typename: "ApiKeyRefusal",
              reason: "MISSING_SCOPE",
              firstAt: new Date().toISOString(),
              lastAt: new Date().toISOString(),
              count: 3,
              clientAddress: "192.0.2.9",
              detail: "Carrier.apiKeys",
            },
            ApiKeyRefusalFieldsFragmentDoc,
          ),
        },
      }),
    ]);
    const lastUsed = screen.getAllByRole("cell")[4];
    expect(lastUsed?.textContent).toContain("from 198.51.100.7");
    expect(lastUsed?.textContent).toContain("(3×): for something its scopes do not cover (Carrier.apiKeys), from 192.0.2.9.");
    expect(within(lastUsed as HTMLElement).getByRole("button", { name: "Show refused uses of Production ERP integration" })).toBeTruthy();
  });

  it("shows scopes as resources and levels in words, the codes beside them", () => {
    list([apiKey({ scopes: ["CARRIER_READ", "KEYS_WRITE"] })]);
    const permissions = screen.getAllByRole("cell")[0];
    expect(permissions?.textContent).toContain("Read: Carrier and organization");
    expect(permissions?.textContent).toContain("Read and write: API keys");
    expect(permissions?.textContent).toContain("CARRIER_READ, KEYS_WRITE");
  });

  it("tells a rotated key in its grace period from its replacement, and offers to stop the old one now", () => {
    const graceEnd = new Date(Date.now() + 86_400_000).toISOString();
    const old = apiKey({ id: "old", hint: "cak_test_…Old1", revokedAt: graceEnd, revocationReason: "rotated: replaced by cak_test_…New2" });
    const replacement = apiKey({
      id: "new",
      hint: "cak_test_…New2",
      rotatedFrom: { __typename: "ApiKey", id: "old", hint: "cak_test_…Old1", status: "ACTIVE", revokedAt: graceEnd },
    });
    list([old, replacement], { update: ALLOWED, rotate: ALLOWED, revoke: ALLOWED });
    const [, oldRow, newRow] = screen.getAllByRole("row");
    expect(oldRow?.textContent).toContain("Old key, being replaced");
    expect(oldRow?.textContent).toContain("replaced by cak_test_…New2");
    expect(within(oldRow as HTMLElement).queryByRole("button", { name: /^Rotate/ })).toBeNull();
    expect(within(oldRow as HTMLElement).getByRole("button", { name: /^Stop the old key now/ })).toBeTruthy();
    expect(newRow?.textContent).toContain("New key");
    expect(newRow?.textContent).toContain("Replaces cak_test_…Old1, which keeps working until");
  });

  it("names each key's carrier when it lists several carriers'", () => {
    list([apiKey(), apiKey({ id: "k2", description: "Yard feed" })], undefined, (key) => (key.id === "k1" ? "WSOR" : "TPW"));
    expect(screen.getByRole("columnheader", { name: "Carrier" })).toBeTruthy();
    expect(screen.getByRole("row", { name: /Yard feed/ }).textContent).toContain("TPW");
  });
});

describe("KeyPermissionsNotice", () => {
  it("says once why several key operations are off for the same reason", () => {
    render(<KeyPermissionsNotice id="why" permissions={{ create: OFF, update: ALLOWED, rotate: OFF, revoke: ALLOWED }} />);
    const note = screen.getByRole("note", { name: "What you cannot do with these keys now" });
    expect(note.textContent).toBe(`Issuing keys and rotating keys unavailable: ${OFF.reason}`);
  });

  it("is not there when everything is allowed", () => {
    const { container } = render(<KeyPermissionsNotice id="why" permissions={{ create: ALLOWED, update: ALLOWED, rotate: ALLOWED, revoke: ALLOWED }} />);
    expect(container.textContent).toBe("");
  });
});
