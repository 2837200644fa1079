// "Export CSV" on the API keys and Activity tabs: the file comes from GET /export/carriers/{id}/…csv
// with the session's bearer token (fetched, then saved from a blob), as each kind of user.
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { api, CARRIER_ADMIN, carrierIdOf, expect, expectAccessible, openCarrier, ORGANIZATION_ADMIN, screenshot, signIn, STAFF, test, who } from "./support";

async function exportCsv(page: Page, what: RegExp): Promise<{ name: string; text: string }> {
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: what }).click();
  const download = await downloading;
  const path = await download.path();
  await expect(page.getByRole("status").filter({ hasText: `Downloaded ${download.suggestedFilename()}.` })).toBeVisible();
  return { name: download.suggestedFilename(), text: await readFile(path, "utf8") };
}

test.describe("CSV exports", () => {
  for (const [role, label, code] of [
    ["carrier administrator", CARRIER_ADMIN, "WSOR"],
    ["organization administrator", ORGANIZATION_ADMIN, "IORY"],
    ["staff", STAFF, "AGR"],
  ] as const) {
    test(`${who(role)} exports the carrier's keys, and its activity as the filters show it`, async ({ page, request }) => {
      // an event to filter on, whatever else the suite has done to the carrier
      const staff = await api(request, { kind: "STAFF" });
      await staff("mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }", {
        input: { carrierId: await carrierIdOf(request, code), description: `Export probe ${code}`, scopes: ["CARRIER_READ"] },
      });
      await signIn(page, label);
      await openCarrier(page, code, "API keys");
      const keys = await exportCsv(page, new RegExp(`^Export CSV of ${code}’s API keys$`));
      expect(keys.name).toMatch(new RegExp(`^${code}-api-keys-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      const [header] = keys.text.split("\r\n");
      expect(header).toMatch(/description/i);
      expect(keys.text).not.toMatch(/cak_test_[0-9A-Za-z]{49}/); // hints only, never a secret
      await screenshot(page, `exports-api-keys-${role.replace(" ", "-")}`);

      await page.getByRole("tab", { name: "Activity" }).click();
      // the export takes the filters shown: here, key creations only
      await page.getByRole("combobox", { name: "Action" }).selectOption("apiKey.create");
      const shown = page.getByRole("status").filter({ hasText: /^Showing \d+ of (\d+) events?\.$/ });
      await expect(shown).toBeVisible();
      const total = Number(/of (\d+) event/.exec((await shown.textContent()) ?? "")?.[1]);
      const button = page.getByRole("button", { name: new RegExp(`^Export CSV of ${code}’s activity$`) });
      await expect(button).toHaveAccessibleDescription(/^The events the filters below select \(\d+\), with times in UTC\.$/);
      // the button keeps its own width
      expect((await button.boundingBox())?.width).toBeLessThan(200);
      const asked = page.waitForRequest((sent) => sent.url().includes("/activity.csv"));
      const activity = await exportCsv(page, new RegExp(`^Export CSV of ${code}’s activity$`));
      const url = new URL((await asked).url());
      expect(Object.fromEntries(url.searchParams)).toEqual({ includeOrganization: "true", action: "apiKey.create" });
      expect(activity.name).toMatch(new RegExp(`^${code}-activity-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      const [columns, ...rows] = activity.text.split("\r\n").filter((line) => line !== "");
      expect(columns?.split(",")[6]).toBe("action");
      // (other tests may add keys to the carrier meanwhile: at least those shown, and only key creations)
      expect(rows.length).toBeGreaterThanOrEqual(total);
      for (const row of rows) expect(row.split(",")[6]).toBe("apiKey.create");
    });
  }

  test("another tenant's carrier is not found, and the page says why an export failed", async ({ page, request }) => {
    // the export endpoint keeps tenants apart like /graphql does
    const { token } = (await (await request.post("/auth/dev-token", { data: { kind: "CARRIER_ADMIN", carrierCode: "WSOR" } })).json()) as {
      token: string;
    };
    const bnsf = await carrierIdOf(request, "BNSF");
    const foreign = await request.get(`/export/carriers/${encodeURIComponent(bnsf)}/api-keys.csv`, { headers: { Authorization: `Bearer ${token}` } });
    expect(foreign.status()).toBe(404);
    // an API key without KEYS_READ is told which scope it lacks
    const staff = await api(request, { kind: "STAFF" });
    const issued = await staff<{ createApiKey: { secret: string } }>(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { secret } } }`,
      { input: { carrierId: bnsf, description: "BNSF export probe", scopes: ["CARRIER_READ"] } },
    );
    const narrow = await request.get(`/export/carriers/${encodeURIComponent(bnsf)}/api-keys.csv`, {
      headers: { Authorization: `Bearer ${issued.data.createApiKey.secret}` },
    });
    expect(narrow.status()).toBe(403);
    expect(((await narrow.json()) as { errors: { extensions: { requiredScope: string } }[] }).errors[0]?.extensions.requiredScope).toBe("KEYS_READ");

    // in the page: a failed export is explained, and can be tried again
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await page.route("**/export/carriers/**", (route) =>
      route.fulfill({
        status: 429,
        headers: { "Retry-After": "30", "Content-Type": "application/json" },
        body: JSON.stringify({ errors: [{ message: "Too many requests; retry after 30 s.", extensions: { code: "RATE_LIMITED", retryAfter: 30 } }] }),
      }),
    );
    await page.getByRole("button", { name: /^Export CSV/ }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Too many requests right now." })).toContainText(/Try again in (30|29|28) seconds/);
    await expectAccessible(page, "a failed export");
    await page.unroute("**/export/carriers/**");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Try again" }).click();
    expect((await downloading).suggestedFilename()).toMatch(/^WSOR-api-keys-/);
  });
});
