import { CARRIER_ADMIN, expect, ORGANIZATION_ADMIN, RESTRICTED_OPERATIONS, screenshot, signIn, STAFF, test, who } from "./support";

const TABS = ["Organization", "Enablements", "API keys", "Activity"] as const;

test.describe("restricted functions", () => {
  for (const [role, label] of [
    ["carrier administrator", CARRIER_ADMIN],
    ["organization administrator", ORGANIZATION_ADMIN],
  ] as const) {
    test(`${who(role)} sees the warning and the page never sends a request it knows will be refused`, async ({ page, operations }) => {
      const warnings: unknown[] = [];
      page.on("response", async (response) => {
        if (!response.url().endsWith("/graphql")) return;
        const body = (await response.json().catch(() => null)) as { extensions?: { warnings?: unknown[] } } | null;
        warnings.push(...(body?.extensions?.warnings ?? []));
      });
      await signIn(page, label);
      const banner = page.getByRole("region", { name: "Restricted functions" });
      await expect(banner).toContainText("restricted functions for platform staff");
      await expect(banner).toContainText("if you see a warning about restricted functions");
      for (const tab of TABS) {
        await page.getByRole("tab", { name: tab }).click();
        await expect(page.getByRole("tabpanel", { name: tab })).toBeVisible();
        await expect(page.getByRole("tabpanel", { name: tab }).getByRole("heading", { level: 2 }).first()).toBeVisible();
      }
      await screenshot(page, `restricted-banner-${role.replace(" ", "-")}`);
      expect(operations.filter((name) => RESTRICTED_OPERATIONS.includes(name))).toEqual([]);
      expect(warnings).toEqual([]);
    });
  }

  test("staff see no warning and the staff-only controls work", async ({ page }) => {
    await signIn(page, STAFF);
    await expect(page.getByRole("region", { name: "Restricted functions" })).toHaveCount(0);
    await page.getByRole("tab", { name: "Enablements" }).click();
    await expect(page.getByRole("button", { name: /^Change / }).first()).toBeEnabled();
  });
});
