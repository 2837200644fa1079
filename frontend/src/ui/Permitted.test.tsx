import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Permitted } from "./Permitted";

const button = (label: string) => (control: { disabled: boolean; "aria-describedby"?: string }) => (
  <button type="button" {...control}>
    {label}
  </button>
);

describe("Permitted", () => {
  it("disables the control the API refuses and reads out the API's reason", () => {
    const reason = "A restricted function for platform staff (organization structure). Contact Support if you need access.";
    render(<Permitted permission={{ allowed: false, reason }}>{button("Rename organization")}</Permitted>);
    const control = screen.getByRole("button", { name: "Rename organization" });
    expect(control).toHaveProperty("disabled", true);
    expect(document.getElementById(control.getAttribute("aria-describedby") ?? "")?.textContent).toBe(reason);
  });

  it("adds the Support hint to a reason that has none", () => {
    render(<Permitted permission={{ allowed: false, reason: "API access is off for this carrier." }}>{button("Create an API key")}</Permitted>);
    const control = screen.getByRole("button", { name: "Create an API key" });
    expect(document.getElementById(control.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "API access is off for this carrier. Contact Support if you need this change.",
    );
  });

  it("leaves an allowed control alone", () => {
    render(<Permitted permission={{ allowed: true, reason: null }}>{button("Rename organization")}</Permitted>);
    expect(screen.getByRole("button", { name: "Rename organization" })).toHaveProperty("disabled", false);
    expect(screen.queryByText(/Support/)).toBeNull();
  });
});
