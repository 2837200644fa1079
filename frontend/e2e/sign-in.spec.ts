import { CARRIER_ADMIN, expect, ORGANIZATION_ADMIN, ROLES, screenshot, signIn, STAFF, test } from "./support";

test.describe("development sign-in", () => {
  test("the sign-in screen offers staff, carrier and organization administrators", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Development sign-in" })).toBeVisible();
    await expect(page.getByRole("button", { name: `Sign in as ${STAFF}`, exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: `Sign in as ${CARRIER_ADMIN}` })).toBeVisible();
    await expect(page.getByRole("button", { name: `Sign in as ${ORGANIZATION_ADMIN}` })).toBeVisible();
    await page.getByRole("searchbox", { name: "Filter identities" }).fill("wisconsin");
    await expect(page.getByRole("button", { name: /^Sign in as/ })).toHaveCount(1);
    await screenshot(page, "sign-in-development");
  });

  for (const { role, label } of ROLES) {
    test(`${role} signs in, lands on a carrier and signs out`, async ({ page, operations }) => {
      await signIn(page, label);
      await expect(page).toHaveURL(/\/carriers\/[A-Z0-9]+\/organization$/);
      await expect(page.getByRole("tab", { name: "Organization" })).toHaveAttribute("aria-selected", "true");
      expect(operations.slice(0, 2)).toEqual(["ToolsPage", "OrganizationTab"]);
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("heading", { name: "Development sign-in" })).toBeVisible();
    });
  }

  test("a deep link survives signing in", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN, "/carriers/WSOR/api-keys");
    await expect(page).toHaveURL(/\/carriers\/WSOR\/api-keys$/);
    await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
  });
});

test.describe("carrier switcher", () => {
  test("a carrier administrator sees only their carrier", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN);
    const switcher = page.getByRole("combobox", { name: "Carrier" });
    await expect(switcher.getByRole("option")).toHaveText(["WSOR — Wisconsin & Southern Railroad"]);
    await expect(page.getByRole("searchbox", { name: "Search all carriers" })).toHaveCount(0);
  });

  test("an organization administrator sees the organization's carriers and switches", async ({ page }) => {
    await signIn(page, ORGANIZATION_ADMIN);
    const switcher = page.getByRole("combobox", { name: "Carrier" });
    await expect(switcher.getByRole("option")).toHaveCount(6);
    await switcher.selectOption({ label: "TPW — Toledo, Peoria & Western Railway" });
    await expect(page.getByRole("heading", { level: 1, name: "Tools for TPW" })).toBeVisible();
    await expect(page).toHaveURL(/\/carriers\/TPW\/organization$/);
  });

  test("staff search every carrier", async ({ page }) => {
    await signIn(page, STAFF);
    await page.getByRole("searchbox", { name: "Search all carriers" }).fill("union");
    const results = page.getByRole("region", { name: "Carrier search results" });
    await results.getByRole("link", { name: "UP — Union Pacific Railroad" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Tools for UP" })).toBeVisible();
    await screenshot(page, "carrier-switcher-staff");
  });
});
