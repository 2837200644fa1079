import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ADMIN } from "../test/render";
import { RestrictedBanner } from "./RestrictedBanner";
import { ViewerContext } from "./viewer";

describe("RestrictedBanner", () => {
  it("shows the API's notice and the seed's Support line to non-staff", () => {
    render(
      <ViewerContext.Provider value={ADMIN}>
        <RestrictedBanner />
      </ViewerContext.Provider>,
    );
    const banner = screen.getByRole("region", { name: "Restricted functions" });
    expect(banner.textContent).toContain(ADMIN.restrictedFunctionsNotice);
    expect(banner.textContent).toContain("if you see a warning about restricted functions");
  });

  it("shows nothing to staff", () => {
    const { container } = render(
      <ViewerContext.Provider value={{ ...ADMIN, isStaff: true, canUseRestrictedFunctions: true, restrictedFunctionsNotice: null }}>
        <RestrictedBanner />
      </ViewerContext.Provider>,
    );
    expect(container.textContent).toBe("");
  });
});
