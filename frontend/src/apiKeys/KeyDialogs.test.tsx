import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { apiKey } from "../test/keys";
import { POLICY } from "../test/policy";
import { fakeClient, renderWith } from "../test/render";
import { EditKeyDialog } from "./EditKeyDialog";
import { RotateKeyDialog } from "./RotateKeyDialog";

// happy-dom's <dialog> has no showModal; the component calls it only where it exists.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

describe("RotateKeyDialog", () => {
  it("offers the policy's grace periods and sends the chosen one with the new key's day", async () => {
    const client = fakeClient(() => undefined);
    renderWith(
      <RotateKeyDialog apiKey={apiKey()} policy={POLICY} viewerKind="ADMIN" noRoomForGrace={null} onRotated={vi.fn()} onClose={vi.fn()} onReload={vi.fn()} />,
      client,
    );
    const grace = screen.getByRole("group", { name: "When should the old key stop working?" });
    expect(grace.textContent).toContain("Stop the old key now");
    expect(grace.textContent).toMatch(/1 hour.*1 day.*1 week/);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: /Keep it working for 1 hour/ }));
    await user.click(screen.getByRole("radio", { name: "On a day I choose" }));
    const day = screen.getByLabelText("Stops working at the end of") as HTMLInputElement;
    await user.click(screen.getByRole("button", { name: "Rotate key" }));
    await waitFor(() => expect(client.sent).toHaveLength(1));
    expect(client.sent[0]?.variables).toEqual({ input: { id: "k1", gracePeriodSeconds: 3600, expiresOn: day.value, timeZone: zone } });
  });

  it("at the key limit, offers only stopping the old key now, and says why", () => {
    renderWith(
      <RotateKeyDialog
        apiKey={apiKey()}
        policy={POLICY}
        viewerKind="ADMIN"
        noRoomForGrace="WSOR has 25 active keys, the most the key policy allows."
        onRotated={vi.fn()}
        onClose={vi.fn()}
        onReload={vi.fn()}
      />,
      fakeClient(() => undefined),
    );
    expect(screen.getByRole("radio", { name: "Stop the old key now" })).toHaveProperty("checked", true);
    expect(screen.getByRole("radio", { name: /Keep it working for 1 day/ })).toHaveProperty("disabled", true);
    expect(screen.getByText("WSOR has 25 active keys, the most the key policy allows.")).toBeTruthy();
  });
});

describe("EditKeyDialog", () => {
  it("keeps the expiry unless a new day is chosen, and then sends it with the time zone", async () => {
    // the server answers with a typed error each time, so the dialog stays open for the next try
    const client = fakeClient(() => ({
      updateApiKey: { __typename: "ValidationError", message: "Try again.", code: "INVALID", field: null },
    }));
    const props = { policy: POLICY, grantable: ["CARRIER_READ", "KEYS_READ"] as const, viewerKind: "ADMIN" as const, onSaved: vi.fn(), onClose: vi.fn(), onReload: vi.fn() };
    renderWith(<EditKeyDialog apiKey={apiKey()} {...props} />, client);
    const user = userEvent.setup();
    expect(screen.getByRole("radio", { name: /^Keep the current expiry/ })).toHaveProperty("checked", true);
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(client.sent).toHaveLength(1));
    expect(client.sent[0]?.variables.input).not.toHaveProperty("expiresOn");
    expect(client.sent[0]?.variables.input).toMatchObject({ id: "k1", expectedVersion: 1, scopes: ["CARRIER_READ"] });
    expect(await screen.findByText("Try again.")).toBeTruthy();

    await user.click(screen.getByRole("radio", { name: "On a day I choose" }));
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(client.sent).toHaveLength(2));
    expect(client.sent[1]?.variables.input).toMatchObject({ timeZone: zone });
    expect(client.sent[1]?.variables.input).toHaveProperty("expiresOn");
  });
});
