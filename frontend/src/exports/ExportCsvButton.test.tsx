import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SessionAccessContext } from "../auth/sessionAccess";
import { ExportCsvButton } from "./ExportCsvButton";

const carrier = { id: "c1", code: "WSOR" };

function renderButton(permission = { allowed: true, reason: null as string | null }) {
  const expire = vi.fn();
  render(
    <SessionAccessContext.Provider value={{ token: () => "t", expire }}>
      <ExportCsvButton carrier={carrier} kind="api-keys" permission={permission} />
    </SessionAccessContext.Provider>,
  );
  return { expire };
}

describe("ExportCsvButton", () => {
  it("is disabled with the API's reason when the export would be refused", () => {
    renderButton({ allowed: false, reason: "This API key lacks the scope KEYS_READ." });
    const button = screen.getByRole("button", { name: "Export CSV of WSOR’s API keys" });
    expect(button).toHaveProperty("disabled", true);
    expect(document.getElementById(button.getAttribute("aria-describedby") ?? "")?.textContent).toContain("lacks the scope KEYS_READ");
  });

  it("ends the session when the server no longer knows it", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("{}", { status: 401 })));
    const { expire } = renderButton();
    await userEvent.setup().click(screen.getByRole("button", { name: /^Export CSV/ }));
    await waitFor(() => expect(expire).toHaveBeenCalled());
    vi.unstubAllGlobals();
  });
});
