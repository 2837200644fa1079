import { CARRIER_ADMIN, expect, openCarrier, ORGANIZATION_ADMIN, screenshot, signIn, STAFF, test } from "./support";
import type { Page } from "@playwright/test";

async function startKey(page: Page, description: string) {
  await page.getByRole("button", { name: "Create an API key" }).click();
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByRole("textbox", { name: "Description" }).fill(description);
  return form;
}

async function finishSecret(page: Page) {
  const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
  await expect(dialog).toBeVisible();
  const secret = await dialog.getByRole("textbox", { name: /^API key for/ }).inputValue();
  expect(secret).toMatch(/^cak_test_[0-9A-Za-z]{49}$/);
  const done = dialog.getByRole("button", { name: "Done" });
  await expect(done).toBeDisabled();
  await dialog.getByRole("checkbox", { name: "I have copied the key and stored it safely" }).check();
  await done.click();
  await expect(dialog).toBeHidden();
  return secret;
}

test.describe("API keys tab", () => {
  test("a carrier administrator creates a key step by step and copies its secret once", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await expect(page.getByRole("complementary", { name: "API key best practices" })).toContainText("Use IP allowlists");
    const form = await startKey(page, "Warehouse management system sync");
    await expect(form.getByRole("textbox", { name: "Description" })).toHaveAccessibleDescription(/Production ERP integration/);

    // the allowlist editor checks each entry as it is typed
    await form.getByRole("button", { name: "Add an address or range" }).click();
    const entry = form.getByRole("textbox", { name: "Allowed address or range 1" });
    await entry.fill("203.0.113.300");
    await expect(entry).toHaveAttribute("aria-invalid", "true");
    await expect(entry).toHaveAccessibleDescription(/Not an IPv4 or IPv6 address/);
    await entry.fill("203.0.113.7/24");
    await expect(entry).toHaveAccessibleDescription(/did you mean 203\.0\.113\.0\/24\?/);
    await entry.fill("203.0.113.0/24");
    await expect(entry).not.toHaveAttribute("aria-invalid", "true");
    await form.getByRole("button", { name: "Add an address or range" }).click();
    await form.getByRole("textbox", { name: "Allowed address or range 2" }).fill("2001:db8::/32");

    await expect(form.getByRole("radio", { name: "The standard lifetime set by the key policy" })).toBeChecked();
    await form.getByRole("checkbox", { name: /CARRIER_READ/ }).check();
    await form.getByRole("checkbox", { name: /ENABLEMENTS_READ/ }).check();
    await screenshot(page, "api-keys-create");
    await form.getByRole("button", { name: "Create API key" }).click();

    const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
    await dialog.getByRole("button", { name: "Copy key" }).click();
    await expect(dialog.getByRole("status")).toHaveText("Copied to the clipboard.");
    await screenshot(page, "api-keys-secret-once");
    const secret = await finishSecret(page);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    await expect(page.getByRole("status").filter({ hasText: "Created “Warehouse management system sync”. Its secret is no longer shown." })).toBeVisible();
    const row = page.getByRole("row", { name: /Warehouse management system sync/ });
    await expect(row).toContainText("203.0.113.0/24");
    await expect(row).toContainText("CARRIER_READ, ENABLEMENTS_READ");
    await expect(row).toContainText("Never used");
    await expect(page.getByText(secret)).toHaveCount(0);
    await screenshot(page, "api-keys-list");
  });

  test("the server's typed error appears at its field and the form keeps its contents", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    const form = await startKey(page, "Expiry too far out");
    await form.getByRole("radio", { name: "On a date I choose" }).check();
    await form.getByLabel("Expires at the end of").fill("2099-12-31");
    await form.getByRole("checkbox", { name: /CARRIER_READ/ }).check();
    await form.getByRole("button", { name: "Create API key" }).click();
    const expiration = form.getByRole("group", { name: "Expiration" });
    await expect(expiration).toHaveAccessibleDescription(/.+/);
    await expect(form.getByLabel("Expires at the end of")).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByRole("textbox", { name: "Description" })).toHaveValue("Expiry too far out");
    await screenshot(page, "api-keys-field-error");
  });

  test("an organization administrator rotates a key with a grace period", async ({ page }) => {
    await signIn(page, ORGANIZATION_ADMIN);
    await openCarrier(page, "GLSR", "API keys");
    await startKey(page, "Rotation candidate");
    await page.getByRole("checkbox", { name: /CARRIER_READ/ }).check();
    await page.getByRole("button", { name: "Create API key" }).click();
    await finishSecret(page);

    const row = page.getByRole("row", { name: /Rotation candidate/ }).first();
    await row.getByRole("button", { name: "Rotate Rotation candidate" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate “Rotation candidate”" });
    await dialog.getByRole("radio", { name: "In 24 hours" }).check();
    await screenshot(page, "api-keys-rotate");
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await finishSecret(page);
    // the old key keeps working for a day; the new one is active
    await expect(page.getByRole("row", { name: /Rotation candidate/ })).toHaveCount(2);
    await expect(page.getByRole("row", { name: /Rotation candidate/ }).filter({ hasText: "(stops" })).toHaveCount(1);
  });

  test("an organization administrator limits a key open to any address with an allowlist", async ({ page }) => {
    await signIn(page, ORGANIZATION_ADMIN);
    await openCarrier(page, "TPW", "API keys");
    await startKey(page, "Yard scanner feed");
    await page.getByRole("checkbox", { name: /CARRIER_READ/ }).check();
    await page.getByRole("button", { name: "Create API key" }).click();
    await finishSecret(page);
    const row = page.getByRole("row", { name: /Yard scanner feed/ });
    await expect(row.getByRole("list", { name: "Advice for Yard scanner feed" })).toContainText("Any address can use it");

    await row.getByRole("button", { name: "Edit Yard scanner feed" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit “Yard scanner feed”" });
    await dialog.getByRole("button", { name: "Add an address or range" }).click();
    await dialog.getByRole("textbox", { name: "Allowed address or range 1" }).fill("198.51.100.0/24");
    await screenshot(page, "api-keys-edit");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved “Yard scanner feed”." })).toBeVisible();
    await expect(row).toContainText("198.51.100.0/24");
    await expect(row.getByRole("list", { name: "Advice for Yard scanner feed" })).not.toContainText("Any address can use it");
  });

  test("staff revoke a key with a reason, and filter by status", async ({ page }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "BNSF", "API keys");
    await startKey(page, "Temporary EDI bridge");
    await page.getByRole("checkbox", { name: /CARRIER_READ/ }).check();
    await page.getByRole("button", { name: "Create API key" }).click();
    await finishSecret(page);

    await page.getByRole("row", { name: /Temporary EDI bridge/ }).getByRole("button", { name: "Revoke Temporary EDI bridge" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke “Temporary EDI bridge”" });
    const revoke = dialog.getByRole("button", { name: "Revoke key" });
    await expect(revoke).toBeDisabled();
    await dialog.getByLabel("Reason for revoking (required)").fill("Bridge decommissioned");
    await screenshot(page, "api-keys-revoke");
    await revoke.click();
    await expect(page.getByRole("status").filter({ hasText: "Revoked “Temporary EDI bridge”." })).toBeVisible();
    await expect(page.getByRole("row", { name: /Temporary EDI bridge/ })).toContainText("Revoked — Bridge decommissioned");

    await page.getByRole("combobox", { name: "Status" }).selectOption("Active");
    await expect(page.getByRole("row", { name: /Temporary EDI bridge/ })).toHaveCount(0);
    await page.getByRole("combobox", { name: "Status" }).selectOption("Revoked");
    await expect(page.getByRole("row", { name: /Temporary EDI bridge/ })).toHaveCount(1);
  });

  test("keys expiring soon, never expiring, unused or open to any address are flagged", async ({ page }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "WSOR", "API keys");
    const advice = page.getByRole("list", { name: /^Advice for / }).first();
    await expect(advice).toBeVisible();
    await page.getByRole("checkbox", { name: /Expiring soon/ }).check();
    const rows = page.getByRole("table").getByRole("row");
    const count = await rows.count();
    for (let index = 1; index < count; index++) {
      await expect(rows.nth(index)).toContainText("Expires soon");
    }
  });
});
