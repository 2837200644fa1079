import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { StaffOnly } from "./StaffOnly";

describe("StaffOnly", () => {
  it("disables the control for non-staff and says why, with the Support hint", () => {
    render(
      <StaffOnly allowed={false} reason="Only platform staff can change organization structure.">
        {(control) => (
          <button type="button" {...control}>
            Rename organization
          </button>
        )}
      </StaffOnly>,
    );
    const button = screen.getByRole("button", { name: "Rename organization" });
    expect(button).toHaveProperty("disabled", true);
    const hint = document.getElementById(button.getAttribute("aria-describedby") ?? "");
    expect(hint?.textContent).toBe("Only platform staff can change organization structure. Contact Support if you need this change.");
  });

  it("leaves the control alone for staff", () => {
    render(
      <StaffOnly allowed reason="unused">
        {(control) => (
          <button type="button" {...control}>
            Rename organization
          </button>
        )}
      </StaffOnly>,
    );
    expect(screen.getByRole("button", { name: "Rename organization" })).toHaveProperty("disabled", false);
    expect(screen.queryByText(/Contact Support/)).toBeNull();
  });
});
