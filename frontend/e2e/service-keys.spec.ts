// Keys across carriers: every carrier's keys in one list (Query.apiKeys), and staff's service keys of
// no carrier for the vendor's other services.
import { finishSecret, grant, reviewAndCreate } from "./keySteps";
import { api, CARRIER_ADMIN, everyScreen, expect, expectAccessible, openCarrier, ORGANIZATION_ADMIN, RESTRICTED_OPERATIONS, signIn, STAFF, test, who } from "./support";

test.describe("keys across carriers", () => {
  test("staff issue a service key, see it work across carriers, rotate and revoke it", async ({ page, request }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "UP", "API keys");
    const section = page.getByRole("region", { name: "Service keys" });
    await section.getByRole("button", { name: "Show service keys" }).click();
    await section.getByRole("button", { name: "Create a service key" }).click();
    const form = section.getByRole("form", { name: "Create a service key" });
    await form.getByRole("textbox", { name: "Description" }).fill("Billing: nightly enablement sync");
    // a service key only reads: the form offers nothing else
    await expect(form.getByRole("textbox", { name: "Description" })).toBeFocused();
    // a service key only reads: the form offers reading two resources and nothing else
    const permissions = form.getByRole("group", { name: "Permissions" });
    await expect(permissions.getByRole("radio", { name: /^Read / })).toHaveCount(2);
    await expect(permissions.getByRole("radio", { name: /^Read and write/ })).toHaveCount(0);
    await grant(form, "ENABLEMENTS_READ");
    await grant(form, "CARRIER_READ");
    await everyScreen(page, "service-keys-create");
    await expectAccessible(page, "service key form");
    const review = await reviewAndCreate(page, form, "service key");
    await expect(review).toHaveCount(0);
    const secret = await finishSecret(page);

    // it reads carriers of any organization, and is of no carrier itself
    const service = await api(request, { secret });
    const read = await service<{ effectiveEnablements: { carriers: { code: string }[] } }>(
      '{ effectiveEnablements(carrierCodes: ["UP", "WSOR", "AGR"], featureKeys: ["integrations.api_access"]) { carriers { code } } }',
    );
    expect(read.data.effectiveEnablements.carriers.map((carrier) => carrier.code)).toEqual(["UP", "WSOR", "AGR"]);

    const row = section.getByRole("row", { name: /Billing: nightly enablement sync/ });
    await expect(row).toContainText("CARRIER_READ, ENABLEMENTS_READ");
    await row.getByRole("button", { name: "Rotate Billing: nightly enablement sync" }).click();
    const rotate = page.getByRole("dialog", { name: "Rotate “Billing: nightly enablement sync”" });
    await rotate.getByRole("radio", { name: "Keep it working for 1 hour" }).check();
    await rotate.getByRole("button", { name: "Rotate key" }).click();
    await finishSecret(page);
    // staff end the old key's grace period early
    const old = section.getByRole("row", { name: /Billing: nightly enablement sync/ }).filter({ hasText: "Old key, being replaced" });
    await old.getByRole("button", { name: /^Stop the old key now/ }).click();
    const stop = page.getByRole("dialog", { name: "End the grace period of “Billing: nightly enablement sync”" });
    await stop.getByLabel("Reason for stopping it now (required)").fill("The billing service runs on the new key");
    await stop.getByRole("button", { name: "Stop the old key now" }).click();
    await expect(section.getByRole("status").filter({ hasText: /^Stopped the old key of “Billing: nightly enablement sync”/ })).toBeFocused();
    const active = section.getByRole("row", { name: /Billing: nightly enablement sync/ }).filter({ hasText: "Active" });
    await expect(active).toHaveCount(1);
    await active.getByRole("button", { name: "Revoke Billing: nightly enablement sync" }).click();
    const revoke = page.getByRole("dialog", { name: "Revoke “Billing: nightly enablement sync”" });
    await revoke.getByLabel("Reason for revoking (required)").fill("Billing moved to the new sync service");
    await revoke.getByRole("button", { name: "Revoke key" }).click();
    await expect(section.getByRole("status").filter({ hasText: "Revoked “Billing: nightly enablement sync”." })).toBeVisible();
    await everyScreen(page, "service-keys");
    await expectAccessible(page, "service keys");
    // service keys stay out of the carriers' lists
    await page.getByRole("radio", { name: "Every carrier you reach" }).check();
    await expect(page.getByRole("table", { name: "API keys of every carrier" })).toBeVisible();
    await expect(page.getByRole("table", { name: "API keys of every carrier" }).getByRole("row", { name: /Billing: nightly/ })).toHaveCount(0);
  });

  for (const [role, label, visible, hidden] of [
    ["organization administrator", ORGANIZATION_ADMIN, ["WSOR"], ["BNSF", "UP"]],
    ["staff", STAFF, ["WSOR", "BNSF", "UP"], []],
  ] as const) {
    test(`${who(role)} lists the keys of every carrier in reach, and manages them from there`, async ({ page }) => {
      await signIn(page, label);
      await openCarrier(page, "WSOR", "API keys");
      await page.getByRole("radio", { name: "Every carrier you reach" }).check();
      const table = page.getByRole("table", { name: "API keys of every carrier" });
      await expect(table).toBeVisible();
      const carriers = () => table.locator("tbody tr td:first-of-type").allTextContents();
      for (const code of visible) await expect.poll(carriers).toContain(code);
      for (const code of hidden) expect(await carriers()).not.toContain(code);
      // the same search as for one carrier, on the server, across carriers
      await page.getByRole("searchbox", { name: "Search keys" }).fill("Production ERP integration");
      await expect.poll(async () => (await table.getByRole("rowheader").allTextContents()).every((text) => text.startsWith("Production ERP integration"))).toBe(true);
      await table.getByRole("button", { name: "Edit Production ERP integration" }).first().click();
      await expect(page.getByRole("dialog", { name: "Edit “Production ERP integration”" })).toBeVisible();
      await page.keyboard.press("Escape");
      await everyScreen(page, `api-keys-every-carrier-${role.replace(" ", "-")}`);
      await expectAccessible(page, "every carrier's keys");
    });
  }

  test("a carrier administrator reaches one carrier: no list across carriers, no service keys", async ({ page, operations }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await expect(page.getByRole("table", { name: "API keys" })).toBeVisible();
    await expect(page.getByRole("radio", { name: "Every carrier you reach" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Service keys" })).toHaveCount(0);
    expect(operations.filter((name) => RESTRICTED_OPERATIONS.includes(name))).toEqual([]);
  });
});
