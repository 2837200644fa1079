import { expect, openCarrier, ORGANIZATION_ADMIN, signIn, STAFF, test } from "./support";

// Against a server whose page size limit is lowered below the page's own page sizes (PAGE_SIZE_LIMIT:
// tests/browser starts one with MAX_PAGE_SIZE and DEFAULT_PAGE_SIZE at 2): the page asks within it and
// reads every page, so nothing is refused and no list is cut short. The full suite's server keeps the
// defaults, so there this file has nothing to check.
const LIMIT = Number(process.env.PAGE_SIZE_LIMIT ?? 0);
const GREAT_LAKES = ["GLSR", "WSOR", "TPW", "IORY", "CFE", "MQT"];

test.describe("a lowered page size limit", () => {
  test.skip(!LIMIT, "needs a server started with a lowered MAX_PAGE_SIZE (PAGE_SIZE_LIMIT)");
  test.beforeAll(() => expect(GREAT_LAKES.length, "the organization holds more carriers than a page").toBeGreaterThan(LIMIT));

  test("the Organization tab lists every carrier of the organization", async ({ page }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "GLSR", "Organization");
    const table = page.getByRole("table", { name: `Carriers in Great Lakes Short Line Group (${GREAT_LAKES.length})` });
    await expect(table.getByRole("row")).toHaveCount(GREAT_LAKES.length + 1);
    for (const code of GREAT_LAKES) await expect(table.getByRole("cell", { name: code, exact: true })).toBeVisible();
    await expect(page.getByRole("alert")).toHaveCount(0);
  });

  test("an organization-level change's impact counts every carrier that inherits it", async ({ page }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "GLSR", "Enablements");
    const table = page.getByRole("table", { name: /^Organization settings for Great Lakes Short Line Group/ });
    await table.getByRole("button", { name: "Change Invoicing for Great Lakes Short Line Group" }).click();
    const dialog = page.getByRole("dialog", { name: "Change Invoicing for Great Lakes Short Line Group" });
    await dialog.getByRole("radio", { name: "Off", exact: true }).check();
    const impact = dialog.getByRole("region", { name: "Effect of this change" });
    // Every member inherits the organization's On but WSOR, which turned it off for itself.
    const turned = GREAT_LAKES.filter((code) => code !== "WSOR");
    await expect(impact.getByRole("listitem")).toHaveCount(turned.length);
    for (const code of turned) await expect(impact).toContainText(`${code}: On → Off`);
    await expect(dialog.getByRole("alert")).toHaveCount(0);
  });

  test("a page size remembered from before the limit was lowered is dropped, not refused", async ({ page }) => {
    // The page remembers the limits of its last load; this one was before MAX_PAGE_SIZE went down.
    await page.addInitScript(() => localStorage.setItem("carrier-admin:page-limits", JSON.stringify({ defaultPageSize: 20, maxPageSize: 100 })));
    await signIn(page, ORGANIZATION_ADMIN);
    await expect(page.getByRole("combobox", { name: "Carrier" }).getByRole("option")).toHaveCount(GREAT_LAKES.length);
    await expect(page.getByRole("alert")).toHaveCount(0);
  });

  test("an organization's administrator finds every carrier in the switcher, and every tab loads", async ({ page }) => {
    await signIn(page, ORGANIZATION_ADMIN);
    const switcher = page.getByRole("combobox", { name: "Carrier" });
    await expect(switcher.getByRole("option")).toHaveCount(GREAT_LAKES.length);
    await openCarrier(page, "MQT", "Organization");
    await expect(page.getByRole("heading", { name: "MQT belongs to Great Lakes Short Line Group" })).toBeVisible();
    for (const [tab, heading] of [
      ["API keys", "API Key Management"],
      ["Activity", "Activity"],
    ] as const) {
      await page.getByRole("tab", { name: tab }).click();
      await expect(page.getByRole("tabpanel").getByRole("heading", { level: 2, name: heading })).toBeVisible();
      await expect(page.getByRole("tabpanel").getByRole("alert")).toHaveCount(0);
    }
  });
});
