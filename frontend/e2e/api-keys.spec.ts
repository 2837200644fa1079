import { TIME_ZONE } from "../playwright.config";
import { finishSecret, grant, makeKey, reviewAndCreate, startKey } from "./keySteps";
import { api, CARRIER_ADMIN, dayAhead, everyScreen, expect, expectAccessible, openCarrier, ORGANIZATION_ADMIN, screenshot, signIn, STAFF, test } from "./support";

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

    // expiry: the policy's lifetimes (7, 30, 60, 90 days) each with the day it ends, its default (90 days)
    // and maximum (365 days), read from the API; never is not allowed here
    const expiration = form.getByRole("group", { name: "Expiration" });
    await expect(expiration.getByRole("radio", { name: `90 days, until ${longDay(dayAhead(90))} (the policy’s default)` })).toBeChecked();
    for (const days of [7, 30, 60]) await expect(expiration.getByRole("radio", { name: `${days} days, until ${longDay(dayAhead(days))}` })).toBeVisible();
    await expect(expiration).toHaveAccessibleDescription(/at most 365 days from now/);
    await expect(expiration.getByRole("radio", { name: "Never expires" })).toBeDisabled();
    await expiration.getByRole("radio", { name: "On a day I choose" }).check();
    const day = expiration.getByLabel("Stops working at the end of");
    await day.fill(dayAhead(400));
    await expect(day).toHaveAttribute("aria-invalid", "true");
    await expect(day).toHaveAccessibleDescription(/At most 365 days from now/);
    // the button stays reachable by keyboard and says, at the button and at the field, what is missing
    const review = form.getByRole("button", { name: "Review the key" });
    await expect(review).toHaveAttribute("aria-disabled", "true");
    await expect(review).toHaveAccessibleDescription(/choose a valid expiration day; give the key access to at least one resource/);
    await review.focus();
    await page.keyboard.press("Enter");
    await expect(day).toBeFocused();
    await expect(form.getByRole("group", { name: "Permissions" })).toHaveAccessibleDescription(/Choose what the key may reach/);
    const lastDay = dayAhead(45);
    await day.fill(lastDay);
    await expect(day).toHaveAccessibleDescription(new RegExp(`The end of that day in ${TIME_ZONE}: .*11:59:59 PM C[SD]T`));

    // permissions per resource in words, the scope codes beside them, with the API's explanations
    const keys = form.getByRole("group", { name: "API keys" });
    await expect(keys).toHaveAccessibleDescription(/Read and write: Issue, change, rotate and revoke/);
    await expect(form.getByRole("group", { name: "Activity log" }).getByRole("radio", { name: "No access" })).toBeChecked();
    await grant(form, "CARRIER_READ");
    await keys.getByRole("radio", { name: "Read and write KEYS_WRITE" }).check();
    await expect(keys.getByRole("radio", { name: "Read KEYS_READ" })).not.toBeChecked();
    await expect(review).not.toHaveAttribute("aria-disabled", "true");
    await everyScreen(page, "api-keys-create");

    // the review: these rights, from these addresses, until this date
    const summary = await (async () => {
      await review.click();
      const region = page.getByRole("region", { name: "Review the new API key" });
      await expect(region.getByRole("heading", { name: "Review the new API key" })).toBeFocused();
      return region;
    })();
    await expect(summary).toContainText("These rights on WSOR");
    await expect(summary).toContainText("Read: Carrier and organization");
    await expect(summary).toContainText("Read and write: API keys");
    await expect(summary).toContainText("203.0.113.0/24");
    await expect(summary).toContainText("2001:db8::/32");
    await expect(summary).toContainText(new RegExp(`Until${longDay(lastDay)}, 11:59:59 PM C[SD]T`));
    await everyScreen(page, "api-keys-review");
    await expectAccessible(page, "the review before creating a key");
    await summary.getByRole("button", { name: "Create API key" }).click();

    const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
    // the command to try the key only works from its allowed addresses: the dialog says so
    await dialog.getByText("Try the key").click();
    await expect(dialog.getByRole("note")).toContainText("This key only works from its allowed addresses (203.0.113.0/24, 2001:db8::/32)");
    await dialog.getByRole("button", { name: "Copy key" }).click();
    await expect(dialog.getByRole("status")).toHaveText("Copied to the clipboard.");
    await everyScreen(page, "api-keys-secret-once");
    await expectAccessible(page, "the secret shown once");
    const secret = await finishSecret(page);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    await expect(page.getByRole("status").filter({ hasText: "Created “Warehouse management system sync”. Its secret is no longer shown." })).toBeVisible();
    const row = page.getByRole("row", { name: /Warehouse management system sync/ });
    await expect(row).toContainText("203.0.113.0/24");
    await expect(row).toContainText("CARRIER_READ, KEYS_WRITE");
    await expect(row).toContainText("Read and write: API keys");
    await expect(row).toContainText(longDay(lastDay));
    await expect(row.getByRole("list", { name: "Advice for Warehouse management system sync" })).toContainText("Never used");
    await expect(page.getByText(secret)).toHaveCount(0);
    await everyScreen(page, "api-keys-list");

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
    await expect(expiry.getByRole("radio", { name: /^90 days, until .* \(the policy’s default\)$/ })).toBeChecked();
    await expect(expiry.getByRole("radio", { name: "Never expires" })).toHaveCount(0);
    await expiry.getByRole("radio", { name: "On a day I choose" }).check();
    const newDay = dayAhead(30);
    await expiry.getByLabel("Stops working at the end of").fill(newDay);
    await everyScreen(page, "api-keys-rotate");
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await finishSecret(page);
    // the old key keeps working for a day, and the list tells it from its replacement
    const rows = page.getByRole("row", { name: /Rotation candidate/ });
    await expect(rows).toHaveCount(2);
    const old = rows.filter({ hasText: "Old key, being replaced" });
    const replacement = rows.filter({ hasText: "New key" });
    const newHint = (await replacement.locator("th code").textContent()) ?? "";
    const oldHint = (await old.locator("th code").textContent()) ?? "";
    // (found by hint from here: the words "new key" turn up in the old key's row once it is revoked)
    const byHint = (hint: string) => rows.filter({ has: page.getByRole("rowheader", { name: new RegExp(`^Rotation candidate ${hint}`) }) });
    await expect(old).toContainText(`replaced by ${newHint}`);
    await expect(old).toContainText(/Active until .* C[SD]T/);
    await expect(replacement).toContainText(`Replaces ${oldHint}, which keeps working until`);
    await expect(replacement).toContainText(longDay(newDay));

    // the grace period ended early: the old key stops now, its replacement stays
    await old.getByRole("button", { name: /^Stop the old key now/ }).click();
    const stop = page.getByRole("dialog", { name: "End the grace period of “Rotation candidate”" });
    await expect(stop).toContainText(`its replacement ${newHint} keeps working`);
    const confirm = stop.getByRole("button", { name: "Stop the old key now" });
    // no reason yet: the button says so, stays reachable, and pressing it shows it at the field
    await expect(confirm).toHaveAccessibleDescription("A reason is required.");
    await confirm.focus();
    await page.keyboard.press("Enter");
    const reason = stop.getByLabel("Reason for stopping it now (required)");
    await expect(reason).toBeFocused();
    await expect(reason).toHaveAccessibleDescription("Give a reason: it is kept in the activity log.");
    await reason.fill("The warehouse system runs on the new key");
    await everyScreen(page, "api-keys-end-grace-period");
    await expectAccessible(page, "ending a grace period early");
    await confirm.click();
    // the button that opened the dialog went with the grace period: focus goes to what happened
    await expect(page.getByRole("status").filter({ hasText: `Stopped the old key of “Rotation candidate” (${oldHint}) now` })).toBeFocused();
    await expect(byHint(oldHint)).toContainText("Revoked — The warehouse system runs on the new key");
    await expect(byHint(newHint)).toContainText(`Replaces ${oldHint}.`);
    await expect(byHint(newHint).getByRole("button", { name: "Rotate Rotation candidate" })).toBeEnabled();
    // and the activity log says so, naming the key
    await page.getByRole("tab", { name: "Activity" }).click();
    await expect(page.getByRole("table", { name: "Activity" }).getByRole("row").nth(1)).toContainText(
      `ended the grace period of the rotated API key “Rotation candidate (${oldHint})” early: it would have worked until`,
    );
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
    await expiry.getByRole("radio", { name: /^7 days, until/ }).check();
    await everyScreen(page, "api-keys-edit");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved “Yard scanner feed”." })).toBeVisible();
    // the Edit button is still there: focus goes back to it
    await expect(row.getByRole("button", { name: "Edit Yard scanner feed" })).toBeFocused();
    await expect(row).toContainText("198.51.100.0/24");
    await expect(row).toContainText(longDay(dayAhead(7)));
    await expect(row.getByRole("list", { name: "Advice for Yard scanner feed" })).not.toContainText("Any address can use it");
  });

  test("staff revoke a key with a reason, then find keys by status and text on the server", async ({ page, operations }) => {
    await signIn(page, STAFF);
    await openCarrier(page, "BNSF", "API keys");
    await makeKey(page, "Temporary EDI bridge");

    await page.getByRole("row", { name: /Temporary EDI bridge/ }).getByRole("button", { name: "Revoke Temporary EDI bridge" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke “Temporary EDI bridge”" });
    const revoke = dialog.getByRole("button", { name: "Revoke key" });
    await expect(revoke).toHaveAttribute("aria-disabled", "true");
    await expect(revoke).toHaveAccessibleDescription("A reason is required.");
    await dialog.getByLabel("Reason for revoking (required)").fill("Bridge decommissioned");
    await everyScreen(page, "api-keys-revoke");
    await revoke.click();
    await expect(page.getByRole("status").filter({ hasText: "Revoked “Temporary EDI bridge”." })).toBeFocused();
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
    await grant(form, "CARRIER_READ");
    await reviewAndCreate(page, form);
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
      await expect(inUse.getByRole("cell").nth(4)).toContainText(/today from /, { timeout: 1000, useInnerText: true });
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
    // The list answers the search (its header and the two probes) before the filter is clicked: while it
    // re-renders for the search, a click can land before the box is where it was measured, and miss.
    await expect(page.getByRole("table", { name: "API keys" }).getByRole("row")).toHaveCount(3);
    // One click, then a waiting assertion: the box shows the state once React has rendered it, which a
    // busy page may not have done the instant the click returns.
    const expiringSoon = page.getByRole("checkbox", { name: "Expiring soon (within 7 days)" });
    await expiringSoon.click();
    await expect(expiringSoon).toBeChecked();
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
