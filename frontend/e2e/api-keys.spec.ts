import { TIME_ZONE } from "../playwright.config";
import { finishSecret, makeKey, startKey } from "./keySteps";
import { api, CARRIER_ADMIN, dayAhead, expect, expectAccessible, openCarrier, ORGANIZATION_ADMIN, screenshot, signIn, STAFF, test } from "./support";

const longDay = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" });

test.describe("API keys tab", () => {
  test("a carrier administrator creates a key step by step, with the policy's numbers, and copies its secret once", async ({
    page,
    request,
  }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await expect(page.getByRole("complementary", { name: "API key best practices" })).toContainText("Use IP allowlists");
    await expect(page.getByText(/WSOR has \d+ active keys? of the 25 the key policy allows\./)).toBeVisible();
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
    await expect(form.getByRole("group", { name: "IP allowlist" })).toContainText("at most 50");

    // expiry: the policy's default (90 days) and maximum (365 days), read from the API; never is not allowed here
    const expiration = form.getByRole("group", { name: "Expiration" });
    await expect(expiration.getByRole("radio", { name: /^The policy’s default: 90 days/ })).toBeChecked();
    await expect(expiration).toHaveAccessibleDescription(/at most 365 days from now/);
    await expect(expiration.getByRole("radio", { name: "Never expires" })).toBeDisabled();
    await expiration.getByRole("radio", { name: "On a day I choose" }).check();
    const day = expiration.getByLabel("Stops working at the end of");
    await day.fill(dayAhead(400));
    await expect(day).toHaveAttribute("aria-invalid", "true");
    await expect(day).toHaveAccessibleDescription(/At most 365 days from now/);
    await expect(form.getByRole("button", { name: "Create API key" })).toBeDisabled();
    const lastDay = dayAhead(45);
    await day.fill(lastDay);
    await expect(day).toHaveAccessibleDescription(new RegExp(`your time zone \\(${TIME_ZONE}\\)`));

    // scopes with the API's explanations; KEYS_WRITE includes KEYS_READ
    const scopes = form.getByRole("group", { name: "Scopes" });
    await expect(scopes.getByRole("checkbox", { name: /^ACTIVITY_READ — Read the carrier's activity log\./ })).toBeVisible();
    await scopes.getByRole("checkbox", { name: /^CARRIER_READ/ }).check();
    await scopes.getByRole("checkbox", { name: /^KEYS_WRITE/ }).check();
    await expect(scopes.getByRole("checkbox", { name: /^KEYS_READ/ })).toBeChecked();
    await expect(scopes.getByRole("checkbox", { name: /^KEYS_READ/ })).toBeDisabled();
    await screenshot(page, "api-keys-create");
    await form.getByRole("button", { name: "Create API key" }).click();

    const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
    await dialog.getByRole("button", { name: "Copy key" }).click();
    await expect(dialog.getByRole("status")).toHaveText("Copied to the clipboard.");
    await screenshot(page, "api-keys-secret-once");
    await expectAccessible(page, "the secret shown once");
    const secret = await finishSecret(page);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    await expect(page.getByRole("status").filter({ hasText: "Created “Warehouse management system sync”. Its secret is no longer shown." })).toBeVisible();
    const row = page.getByRole("row", { name: /Warehouse management system sync/ });
    await expect(row).toContainText("203.0.113.0/24");
    await expect(row).toContainText("CARRIER_READ, KEYS_WRITE");
    await expect(row).toContainText(longDay(lastDay));
    await expect(row.getByRole("list", { name: "Advice for Warehouse management system sync" })).toContainText("Never used");
    await expect(page.getByText(secret)).toHaveCount(0);
    await screenshot(page, "api-keys-list");

    // the server stored the end of the chosen day in the browser's time zone
    const admin = await api(request, { kind: "CARRIER_ADMIN", carrierCode: "WSOR" });
    const stored = await admin<{ carrier: { apiKeys: { nodes: { expiresAt: string }[] } } }>(
      `{ carrier(code: "WSOR") { apiKeys(filter: {search: "Warehouse management system sync"}) { nodes { expiresAt } } } }`,
    );
    const expiresAt = new Date(stored.data.carrier.apiKeys.nodes[0]?.expiresAt ?? "");
    const inChicago = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, dateStyle: "short", timeStyle: "medium", hourCycle: "h23" });
    expect(inChicago.format(expiresAt)).toBe(`${lastDay}, 23:59:59`);
  });

  test("an organization administrator rotates a key with the policy's grace periods and chooses the new key's expiry", async ({ page }) => {
    await signIn(page, ORGANIZATION_ADMIN);
    await openCarrier(page, "GLSR", "API keys");
    await makeKey(page, "Rotation candidate");

    const row = page.getByRole("row", { name: /Rotation candidate/ }).first();
    await row.getByRole("button", { name: "Rotate Rotation candidate" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate “Rotation candidate”" });
    const grace = dialog.getByRole("group", { name: "When should the old key stop working?" });
    await expect(grace).toContainText("Stop the old key now");
    await expect(grace).toContainText("Keep it working for 1 hour");
    await expect(grace).toContainText("Keep it working for 1 week");
    await grace.getByRole("radio", { name: "Keep it working for 1 day" }).check();
    const expiry = dialog.getByRole("group", { name: "When should the new key expire?" });
    await expect(expiry.getByRole("radio", { name: /^The policy’s default: 90 days/ })).toBeChecked();
    await expect(expiry.getByRole("radio", { name: "Never expires" })).toHaveCount(0);
    await expiry.getByRole("radio", { name: "On a day I choose" }).check();
    const newDay = dayAhead(30);
    await expiry.getByLabel("Stops working at the end of").fill(newDay);
    await screenshot(page, "api-keys-rotate");
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await finishSecret(page);
    // the old key keeps working for a day; the new one is active until the chosen day
    const rows = page.getByRole("row", { name: /Rotation candidate/ });
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: "(stops" })).toHaveCount(1);
    await expect(rows.filter({ hasNotText: "(stops" })).toContainText(longDay(newDay));
  });

  test("an organization administrator limits a key with an allowlist and gives it an earlier expiry", async ({ page }) => {
    await signIn(page, ORGANIZATION_ADMIN);
    await openCarrier(page, "TPW", "API keys");
    await makeKey(page, "Yard scanner feed");
    const row = page.getByRole("row", { name: /Yard scanner feed/ });
    await expect(row.getByRole("list", { name: "Advice for Yard scanner feed" })).toContainText("Any address can use it");

    await row.getByRole("button", { name: "Edit Yard scanner feed" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit “Yard scanner feed”" });
    await dialog.getByRole("button", { name: "Add an address or range" }).click();
    await dialog.getByRole("textbox", { name: "Allowed address or range 1" }).fill("198.51.100.0/24");
    const expiry = dialog.getByRole("group", { name: "Expiration" });
    await expect(expiry.getByRole("radio", { name: /^Keep the current expiry/ })).toBeChecked();
    await expiry.getByRole("radio", { name: "On a day I choose" }).check();
    const newDay = dayAhead(20);
    await expiry.getByLabel("Stops working at the end of").fill(newDay);
    await screenshot(page, "api-keys-edit");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved “Yard scanner feed”." })).toBeVisible();
    await expect(row).toContainText("198.51.100.0/24");
    await expect(row).toContainText(longDay(newDay));
    await expect(row.getByRole("list", { name: "Advice for Yard scanner feed" })).not.toContainText("Any address can use it");
  });

  test("staff revoke a key with a reason, then find keys by status and text on the server", async ({ page, operations }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "BNSF", "API keys");
    await makeKey(page, "Temporary EDI bridge");

    await page.getByRole("row", { name: /Temporary EDI bridge/ }).getByRole("button", { name: "Revoke Temporary EDI bridge" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke “Temporary EDI bridge”" });
    const revoke = dialog.getByRole("button", { name: "Revoke key" });
    await expect(revoke).toBeDisabled();
    await dialog.getByLabel("Reason for revoking (required)").fill("Bridge decommissioned");
    await screenshot(page, "api-keys-revoke");
    await revoke.click();
    await expect(page.getByRole("status").filter({ hasText: "Revoked “Temporary EDI bridge”." })).toBeVisible();
    await expect(page.getByRole("row", { name: /Temporary EDI bridge/ })).toContainText("Revoked — Bridge decommissioned");

    const before = operations.length;
    await page.getByRole("combobox", { name: "Status" }).selectOption("Active");
    await expect(page.getByRole("row", { name: /Temporary EDI bridge/ })).toHaveCount(0);
    await page.getByRole("combobox", { name: "Status" }).selectOption("Revoked");
    await expect(page.getByRole("row", { name: /Temporary EDI bridge/ })).toHaveCount(1);
    await page.getByRole("combobox", { name: "Status" }).selectOption("All");
    await page.getByRole("searchbox", { name: "Search keys" }).fill("edi bridge");
    await expect(page.getByRole("table", { name: "API keys" }).getByRole("row")).toHaveCount(2);
    // each filter is a request to the server, not a filter over what the page already holds
    expect(operations.slice(before).filter((name) => name === "ApiKeysTab").length).toBeGreaterThanOrEqual(3);
  });

  test("a carrier administrator sees keys in use and refused, and finds those expiring soon or never used", async ({ page, request }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    const used = await makeKey(page, "Filter probe in use");
    // a key expiring within the policy's "soon" (7 days)
    const form = await startKey(page, "Filter probe expiring");
    await form.getByRole("radio", { name: "On a day I choose" }).check();
    await form.getByLabel("Stops working at the end of").fill(dayAhead(3));
    await form.getByRole("checkbox", { name: /^CARRIER_READ/ }).check();
    await form.getByRole("button", { name: "Create API key" }).click();
    const refused = await finishSecret(page);

    // an integration uses one key, and another asks for more than its scopes cover
    expect((await (await api(request, { secret: used }))("{ viewer { name } }")).data).toBeTruthy();
    const denied = await (await api(request, { secret: refused }))('{ carrier(code: "WSOR") { apiKeys { totalCount } } }');
    expect(denied.errors?.[0]?.extensions?.requiredScope).toBe("KEYS_READ");

    // uses and refusals are written within the server's flush interval: reload until they show
    const inUse = page.getByRole("row", { name: /Filter probe in use/ });
    const expiring = page.getByRole("row", { name: /Filter probe expiring/ });
    await expect(async () => {
      await page.reload();
      await expect(inUse.getByRole("cell").nth(4)).toContainText(/today from /, { timeout: 1000 });
      await expect(expiring.getByRole("cell").nth(4)).toContainText("Refused", { timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await expect(expiring.getByRole("cell").nth(4)).toContainText("for something its scopes do not cover (Carrier.apiKeys)");
    await expect(expiring.getByRole("list", { name: "Advice for Filter probe expiring" })).toContainText("Being refused");
    await expect(expiring.getByRole("list", { name: "Advice for Filter probe expiring" })).toContainText("Expires soon");
    await expiring.getByRole("button", { name: "Show refused uses of Filter probe expiring" }).click();
    await expect(page.getByRole("list", { name: "Refused uses of Filter probe expiring" })).toContainText("1× for something its scopes do not cover");
    await screenshot(page, "api-keys-refused");
    await expectAccessible(page, "a key's refused uses");

    await page.getByRole("searchbox", { name: "Search keys" }).fill("Filter probe");
    await page.getByRole("checkbox", { name: "Expiring soon (within 7 days)" }).check();
    await expect(expiring).toHaveCount(1);
    await expect(inUse).toHaveCount(0);
    await page.getByRole("checkbox", { name: "Expiring soon (within 7 days)" }).uncheck();
    // A refused use is still a use (the key authenticated, and the rest of its request was answered):
    // neither probe was never used. A waiting assertion, so that the list the page keeps showing while
    // the server answers the new filter cannot pass for it.
    await page.getByRole("combobox", { name: "Use" }).selectOption("Never used");
    await expect(page.getByText("No key matches these filters.")).toBeVisible();
    await page.getByRole("searchbox", { name: "Search keys" }).fill("Production ERP integration");
    await expect(page.getByRole("row", { name: /Production ERP integration/ }).first()).toBeVisible();
    await page.getByRole("searchbox", { name: "Search keys" }).fill("Filter probe");
    await page.getByRole("combobox", { name: "Use" }).selectOption("Any");
    await page.getByRole("combobox", { name: "Order" }).selectOption("Expiring first");
    await expect(page.getByRole("table", { name: "API keys" }).getByRole("row").nth(1)).toContainText("Filter probe expiring");
    await screenshot(page, "api-keys-filters");
  });
});
