import { CARRIER_ADMIN, expect, openCarrier, ORGANIZATION_ADMIN, screenshot, signIn, STAFF, test, who } from "./support";
import type { Page } from "@playwright/test";

async function makeKey(page: Page, description: string) {
  await page.getByRole("tab", { name: "API keys" }).click();
  await page.getByRole("button", { name: "Create an API key" }).click();
  await page.getByRole("textbox", { name: "Description" }).fill(description);
  await page.getByRole("checkbox", { name: /CARRIER_READ/ }).check();
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
  await dialog.getByRole("checkbox", { name: "I have copied the key and stored it safely" }).check();
  await dialog.getByRole("button", { name: "Done" }).click();
}

test.describe("activity tab", () => {
  for (const [role, label, code] of [
    ["carrier administrator", CARRIER_ADMIN, "WSOR"],
    ["organization administrator", ORGANIZATION_ADMIN, "CFE"],
    ["staff", STAFF, "SLR"],
  ] as const) {
    test(`${who(role)} sees what happened to the carrier, newest first, and filters it`, async ({ page }) => {
      await signIn(page, label);
      await openCarrier(page, code, "API keys");
      await makeKey(page, `Audit trail probe ${code}`);
      await page.getByRole("tab", { name: "Activity" }).click();
      const table = page.getByRole("table", { name: "Activity" });
      await expect(table.getByRole("row").nth(1)).toContainText("apiKey.create");
      await page.getByRole("combobox", { name: "Action" }).selectOption("apiKey.create");
      const rows = table.getByRole("row");
      const count = await rows.count();
      for (let index = 1; index < count; index++) await expect(rows.nth(index)).toContainText("apiKey.create");
      await page.getByRole("combobox", { name: "Outcome" }).selectOption("Refused");
      await expect(page.getByText("Nothing matches these filters yet.")).toBeVisible();
      await page.getByRole("combobox", { name: "Outcome" }).selectOption("All outcomes");
      await screenshot(page, `activity-${role.replace(" ", "-")}`);
    });
  }
});
