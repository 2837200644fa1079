import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeClient, renderWith } from "../test/render";
import { RequestChangeForm } from "./RequestChangeForm";

describe("RequestChangeForm", () => {
  it("sends the proposal with the reason, and reports the request's summary", async () => {
    const client = fakeClient(() => ({
      requestChange: {
        __typename: "ChangeRequestPayload",
        changeRequest: { __typename: "ChangeRequest", id: "r1", state: "OPEN", summary: "Set billing.demurrage to enabled for PW" },
      },
    }));
    const onDone = vi.fn();
    renderWith(
      <RequestChangeForm
        title="Demurrage for PW, now Inherit."
        extra={{ kind: "state", current: "INHERIT" }}
        propose={({ state, reason }) => ({ setCarrierEnablement: { carrierId: "c-pw", featureKey: "billing.demurrage", state: state as "ENABLED", reason } })}
        onDone={onDone}
        onCancel={vi.fn()}
      />,
      client,
    );
    const user = userEvent.setup();
    // the current setting is not offered
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual(["On", "Off"]);
    await user.type(screen.getByLabelText("Why you need it (Support reads this)"), "  Signed the add-on ");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith("Set billing.demurrage to enabled for PW"));
    const sent = client.sent.find((request) => request.name === "RequestChange");
    expect(sent?.variables).toEqual({
      input: {
        reason: "Signed the add-on",
        setCarrierEnablement: { carrierId: "c-pw", featureKey: "billing.demurrage", state: "ENABLED", reason: "Signed the add-on" },
      },
    });
  });

  it("shows the API's refusal at the reason, and keeps what was typed", async () => {
    const client = fakeClient(() => ({
      requestChange: { __typename: "ValidationError", message: "A reason is required.", code: "BAD_USER_INPUT", field: "reason" },
    }));
    renderWith(<RequestChangeForm title="x" propose={() => ({ detachCarrier: { carrierId: "c" } })} onDone={vi.fn()} onCancel={vi.fn()} />, client);
    const user = userEvent.setup();
    const reason = screen.getByLabelText("Why you need it (Support reads this)");
    await user.type(reason, "x");
    await user.click(screen.getByRole("button", { name: "Send request" }));
    await waitFor(() => expect(reason.getAttribute("aria-invalid")).toBe("true"));
    expect(reason).toHaveProperty("value", "x");
  });
});
