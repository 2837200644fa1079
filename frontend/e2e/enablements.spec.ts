import { CARRIER_ADMIN, everyScreen, expect, openCarrier, ORGANIZATION_ADMIN, RESTRICTED_OPERATIONS, screenshot, signIn, STAFF, test, who } from "./support";

test.describe("enablements tab", () => {
  test("staff switch a carrier's feature on with a required reason, seeing the impact first", async ({ page }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "UP", "Enablements");
    const table = page.getByRole("table", { name: "Features for UP" });
    const row = table.getByRole("row", { name: /Car hire/ });
    await expect(row.getByRole("cell").nth(0)).toHaveText("Inherit");
    await expect(row.getByRole("cell").nth(1)).toHaveText("Off");
    await expect(row.getByRole("cell").nth(2)).toHaveText("Default");
    await screenshot(page, "enablements-staff");

    await row.getByRole("button", { name: "Change Car hire for UP" }).click();
    const dialog = page.getByRole("dialog", { name: "Change Car hire for UP" });
    await dialog.getByRole("radio", { name: "On", exact: true }).check();
    await expect(dialog.getByRole("region", { name: "Effect of this change" })).toContainText("UP: Off → On");
    const save = dialog.getByRole("button", { name: "Save setting" });
    await expect(save).toBeDisabled(); // the reason is required
    await dialog.getByLabel("Reason for this change (required)").fill("Customer signed the car hire add-on");
    await everyScreen(page, "enablements-change");
    await save.click();
    await expect(page.getByRole("status").filter({ hasText: "Car hire is now set to On for UP." })).toBeVisible();
    await expect(row.getByRole("button", { name: "Change Car hire for UP" })).toBeFocused();
    await expect(page.getByRole("table", { name: "Effective values that changed" })).toContainText("Car hire");
    await expect(row.getByRole("cell").nth(2)).toHaveText("Carrier");
  });

  test("staff change an organization-level setting and see which carriers follow", async ({ page }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "BNML", "Enablements");
    const table = page.getByRole("table", { name: /^Organization settings for Prairie Regional Holdings/ });
    await table.getByRole("button", { name: "Change Dashboards for Prairie Regional Holdings" }).click();
    const dialog = page.getByRole("dialog", { name: "Change Dashboards for Prairie Regional Holdings" });
    await dialog.getByRole("radio", { name: "On", exact: true }).check();
    const impact = dialog.getByRole("region", { name: "Effect of this change" });
    await expect(impact).toContainText("These carriers’ effective values will change:");
    await expect(impact).toContainText("BNML: Off → On");
    await dialog.getByLabel("Reason for this change (required)").fill("Prairie bought the analytics bundle");
    await dialog.getByRole("button", { name: "Save setting" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Dashboards is now set to On for Prairie Regional Holdings." })).toBeVisible();
    await expect(page.getByRole("table", { name: "Features for BNML" }).getByRole("row", { name: /Dashboards/ }).getByRole("cell").nth(2)).toHaveText(
      "Organization",
    );
  });

  for (const [role, label] of [
    ["carrier administrator", CARRIER_ADMIN],
    ["organization administrator", ORGANIZATION_ADMIN],
  ] as const) {
    test(`${who(role)} sees every feature's setting, effective value and source; changing is staff-only`, async ({ page, operations }) => {
      await signIn(page, label);
      await openCarrier(page, "WSOR", "Enablements");
      const carrierTable = page.getByRole("table", { name: "Features for WSOR" });
      await expect(carrierTable.getByRole("row")).toHaveCount(11); // header + the catalogue's 10 features
      await expect(carrierTable.getByRole("row", { name: /Dashboards/ }).getByRole("cell").nth(2)).toHaveText("Organization");
      await expect(carrierTable.getByRole("row", { name: /Invoicing/ }).getByRole("cell").nth(2)).toHaveText("Carrier");
      await expect(page.getByRole("table", { name: /^Organization settings for Great Lakes Short Line Group/ })).toBeVisible();
      const change = carrierTable.getByRole("button", { name: "Change Invoicing for WSOR" });
      await expect(change).toBeDisabled();
      await expect(change).toHaveAccessibleDescription(
        "A restricted function for platform staff (feature enablements). Contact Support if you need access.",
      );
      await screenshot(page, `enablements-${role.replace(" ", "-")}`);
      expect(operations.filter((name) => RESTRICTED_OPERATIONS.includes(name))).toEqual([]);
    });
  }
});
