import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { CARRIER_ADMIN, expect, expectAccessible, openCarrier, ROLES, screenshot, signIn, STAFF, test } from "./support";

const BUDGET_GZIP_BYTES = 250 * 1024;

test.describe("quality", () => {
  test("the sign-in screen has no serious accessibility violation", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Development sign-in" })).toBeVisible();
    await expectAccessible(page, "sign-in");
  });

  for (const { role, label } of ROLES) {
    test(`every screen passes axe-core for the ${role}`, async ({ page }) => {
      await signIn(page, label);
      await openCarrier(page, "WSOR", "Organization");
      await expectAccessible(page, "organization tab");
      if (role === "staff") {
        await page.getByRole("button", { name: "Rename organization" }).click();
        await expectAccessible(page, "rename organization form");
        await page.getByRole("button", { name: "Move to another organization" }).click();
        await page.getByRole("searchbox", { name: "Search organizations" }).fill("a");
        await expectAccessible(page, "move carrier form with the organization picker");
        await openCarrier(page, "BPRR", "Organization");
        await page.getByRole("button", { name: "Create new Organization" }).click();
        await page.getByRole("searchbox", { name: "Find carriers in no organization" }).fill("r");
        await expect(page.getByRole("region", { name: "Carriers found" }).getByRole("button").first()).toBeVisible();
        await expectAccessible(page, "create organization form with the carrier search");
        await openCarrier(page, "WSOR", "Organization");
      }
      await page.getByRole("tab", { name: "Enablements" }).click();
      await expect(page.getByRole("table", { name: "Features for WSOR" })).toBeVisible();
      await expectAccessible(page, "enablements tab");
      if (role === "staff") {
        await page.getByRole("button", { name: "Change Waybills for WSOR" }).click();
        await expect(page.getByRole("dialog")).toBeVisible();
        await expectAccessible(page, "change enablement dialog");
        await page.keyboard.press("Escape");
      }
      await page.getByRole("tab", { name: "API keys" }).click();
      await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
      await expect(page.getByRole("table", { name: "API keys" })).toBeVisible();
      await expectAccessible(page, "API keys tab");
      await page.getByRole("button", { name: "Create an API key" }).click();
      await page.getByRole("button", { name: "Add an address or range" }).click();
      await page.getByRole("textbox", { name: "Allowed address or range 1" }).fill("not-an-address");
      await page.getByRole("radio", { name: "On a day I choose" }).check();
      await page.getByLabel("Stops working at the end of").fill("2099-01-01");
      await expectAccessible(page, "create key form with field errors");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("checkbox", { name: /^Expiring soon/ }).check();
      await page.getByRole("checkbox", { name: /^Expiring soon/ }).uncheck();
      const rotate = page.getByRole("button", { name: /^Rotate / }).first();
      await rotate.click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectAccessible(page, "rotate key dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: /^Edit / }).first().click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectAccessible(page, "edit key dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: /^Revoke / }).first().click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectAccessible(page, "revoke key dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("tab", { name: "Activity" }).click();
      await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: /^Showing / })).toBeVisible();
      const details = page.locator("table.activity summary").first();
      if (await details.count()) await details.click();
      await expectAccessible(page, "activity tab");
    });
  }

  test("the page works with the network cut off except the server itself", async ({ page, baseURL }) => {
    const origin = new URL(baseURL ?? "").origin;
    const blocked: string[] = [];
    await page.context().route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith("data:")) return route.continue();
      blocked.push(url);
      return route.abort("internetdisconnected");
    });
    await signIn(page, STAFF);
    for (const tab of ["Organization", "Enablements", "API keys", "Activity"] as const) {
      await openCarrier(page, "WSOR", tab);
      await expect(page.getByRole("tabpanel", { name: tab }).getByRole("heading", { level: 2 }).first()).toBeVisible();
    }
    expect(blocked).toEqual([]);
  });

  test("first load asks for its data in at most two GraphQL requests, and the figures", async ({ page, operations }) => {
    await signIn(page, CARRIER_ADMIN);
    await page.waitForLoadState("networkidle"); // the landing page's own requests are not the next load's
    operations.length = 0;
    // A fresh load of the page with a session: everything below is the first load's own work.
    await page.goto("/carriers/WSOR/api-keys");
    await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
    await expect(page.getByRole("table").or(page.getByText("no API keys yet"))).toBeVisible();
    const interactiveMs = await page.evaluate(() => performance.now());
    await page.waitForLoadState("networkidle");
    expect(operations).toEqual(["ToolsPage", "ApiKeysTab"]);

    const scripts = readdirSync("dist/assets").filter((name) => name.endsWith(".js"));
    const gzipBytes = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(`dist/assets/${name}`), { level: 9 }).length, 0);
    const loaded = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((entry) => entry.name.endsWith(".js"))
        .map((entry) => entry.name.split("/").pop()),
    );
    const figures = { interactiveMs: Math.round(interactiveMs), javascriptGzipBytes: gzipBytes, scripts, loadedOnFirstLoad: loaded, operations };
    writeFileSync("e2e/screenshots/figures.json", JSON.stringify(figures, null, 2));
    console.log(`figures: ${JSON.stringify(figures)}`);
    expect(gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    await screenshot(page, "first-load-api-keys");
  });

  for (const { role, label } of ROLES) {
    test(`every tab's first load asks at most two GraphQL requests, for the ${role}`, async ({ page, operations }) => {
      await signIn(page, label);
      for (const [tab, query] of [
        ["organization", "OrganizationTab"],
        ["enablements", "EnablementsTab"],
        ["api-keys", "ApiKeysTab"],
        ["activity", "ActivityTab"],
      ] as const) {
        // What the page before is still asking (the landing page after sign-in) is not this load's.
        await page.waitForLoadState("networkidle");
        operations.length = 0;
        await page.goto(`/carriers/WSOR/${tab}`);
        await expect(page.getByRole("tabpanel").getByRole("heading", { level: 2 }).first()).toBeVisible();
        await page.waitForLoadState("networkidle");
        expect(operations, `first load of /carriers/WSOR/${tab}`).toEqual(["ToolsPage", query]);
      }
    });
  }
});
