// A key's usage on the API keys tab: the 30-day sparkline beside each key, the usage dialog's chart by
// day and by hour with the table of the same numbers, the "unused" nudge read from the counts; for each
// role. The demo data gives WSOR a busy key (a month of traffic, some refused) and one idle for 45 days.
import { readFile } from "node:fs/promises";
import { api, carrierIdOf, everyScreen, expect, expectAccessible, openCarrier, ROLES, screenshot, signIn, test, who } from "./support";

for (const { role, label } of ROLES) {
  test(`${who(role)} sees each key's last 30 days, its chart and table by day and hour, and the unused nudge`, async ({ page }) => {
    await signIn(page, label);
    await openCarrier(page, "WSOR", "API keys");
    const table = page.getByRole("table", { name: "API keys" });

    // the sparkline beside the key, its totals in words
    const busy = table.getByRole("row", { name: /Dispatch board feed/ });
    const usage = busy.getByRole("button", { name: /show the usage of Dispatch board feed/ });
    await expect(usage).toHaveAccessibleName(/^[\d,]+ served, 90 refused in the last 30 days: show the usage of Dispatch board feed$/);
    await expect(usage.locator("svg.sparkline rect.served")).toHaveCount(30);
    await expect(usage.locator("svg.sparkline rect.refused")).toHaveCount(3);

    // the nudge, from the counts: nothing served for 45 days
    const idle = table.getByRole("row", { name: /Fuel card reconciliation/ });
    await expect(idle.getByRole("list", { name: "Advice for Fuel card reconciliation" })).toContainText("Unused for 45 days: revoke it?");
    await expect(busy.getByRole("list", { name: "Advice for Dispatch board feed" })).toHaveCount(0);
    await expectAccessible(page, "the keys with their sparklines");

    // the chart by day, refusals in their own colour, and the table of the same numbers
    await usage.click();
    const dialog = page.getByRole("dialog", { name: "Usage of Dispatch board feed" });
    await expect(dialog.getByRole("img", { name: /^Bar chart of the table below: \d+ served and 90 refused requests\.$/ })).toBeVisible();
    const days = dialog.getByRole("table", { name: "Dispatch board feed, by day, the numbers" });
    await expect(days.getByRole("row")).toHaveCount(31);
    await expect(dialog.locator("svg rect.refused")).toHaveCount(3);
    const refusedDays = days.getByRole("row").filter({ hasText: /address not allowed: 25|rate limited: 40/ });
    await expect(refusedDays).toHaveCount(3);
    // the chart's total is the table's
    const served = await days.locator("tbody tr td:nth-of-type(1)").allTextContents();
    const total = served.reduce((sum, text) => sum + Number(text.replace(/,/g, "")), 0);
    await expect(dialog.getByRole("img")).toHaveAccessibleName(`Bar chart of the table below: ${total} served and 90 refused requests.`);
    if (role === "carrier administrator") await everyScreen(page, "api-key-usage-days");
    await expectAccessible(page, "a key's usage by day");

    // by hour for the last two days
    await dialog.getByRole("radio", { name: /By hour/ }).check();
    const hours = dialog.getByRole("table", { name: "Dispatch board feed, by hour, the numbers" });
    await expect(hours.getByRole("row")).toHaveCount(49);
    await expectAccessible(page, "a key's usage by hour");
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(usage).toBeFocused();
  });
}

test("requests an integration makes show in its key's sparkline once the minute's flush lands", async ({ page, request }) => {
  // given: a new key, used five times and refused twice (from outside its allowlist, after it changes)
  const staff = await api(request, { kind: "STAFF" });
  const carrierId = await carrierIdOf(request, "WSOR");
  const issued = await staff<{ createApiKey: { secret: string; apiKey: { id: string; version: number } } }>(
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { secret apiKey { id version } } } }`,
    { input: { carrierId, description: "Usage probe WSOR", scopes: ["CARRIER_READ"], ipAllowlist: ["127.0.0.1/32"] } },
  );
  const { secret, apiKey } = issued.data.createApiKey;
  const key = await api(request, { secret });
  for (let index = 0; index < 5; index++) expect((await key("{ viewer { name } }")).data).toEqual({ viewer: { name: "Usage probe WSOR" } });
  const fenced = await staff<{ updateApiKey: { __typename: string } }>(
    `mutation ($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { __typename } }`,
    { input: { id: apiKey.id, expectedVersion: apiKey.version, ipAllowlist: ["192.0.2.0/24"] } },
  );
  expect(fenced.data.updateApiKey.__typename).toBe("ApiKeyPayload");
  for (let index = 0; index < 2; index++) expect((await key("{ viewer { name } }")).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

  // when / then: the suite's servers flush each second; the list shows the counts
  await signIn(page, "Administrator of WSOR (Wisconsin & Southern Railroad)");
  await openCarrier(page, "WSOR", "API keys");
  const usage = page.getByRole("button", { name: /show the usage of Usage probe WSOR/ });
  await expect(async () => {
    await page.reload();
    await expect(usage).toHaveAccessibleName("5 served, 2 refused in the last 30 days: show the usage of Usage probe WSOR", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await usage.click();
  const today = page.getByRole("dialog", { name: "Usage of Usage probe WSOR" }).getByRole("row").last();
  await expect(today).toContainText("address not allowed: 2");
  await screenshot(page, "api-key-usage-probe");
});

test("an open usage dialog and the sparklines show new requests as they are counted, without a reload", async ({ page, request }) => {
  // given: a new key of WSOR, its usage dialog open (nothing counted yet)
  const staff = await api(request, { kind: "STAFF" });
  const carrierId = await carrierIdOf(request, "WSOR");
  const description = `Live usage WSOR ${Date.now()}`;
  const issued = await staff<{ createApiKey: { secret: string } }>(
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { secret } } }`,
    { input: { carrierId, description, scopes: ["CARRIER_READ"] } },
  );
  const key = await api(request, { secret: issued.data.createApiKey.secret });
  await signIn(page, "Administrator of WSOR (Wisconsin & Southern Railroad)");
  await openCarrier(page, "WSOR", "API keys");
  const usage = page.getByRole("button", { name: `0 served in the last 30 days: show the usage of ${description}` });
  await usage.click();
  const dialog = page.getByRole("dialog", { name: `Usage of ${description}` });
  const today = dialog.getByRole("table", { name: `${description}, by day, the numbers` }).locator("tbody tr").last();
  await expect(today.locator("td").first()).toHaveText("0");

  // when: the integration makes four requests; the suite's servers flush each second and announce it
  for (let index = 0; index < 4; index++) expect((await key("{ viewer { name } }")).data).toEqual({ viewer: { name: description } });

  // then: the open dialog's numbers change (its own re-read would be a minute away; it no longer polls)
  await expect(today.locator("td").first()).toHaveText("4", { timeout: 15_000 });

  // and the dialog downloads the same numbers: the key's requests per hour and outcome
  const downloading = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download usage CSV" }).click();
  const download = await downloading;
  await expect(dialog.getByRole("status").filter({ hasText: `Downloaded ${download.suggestedFilename()}.` })).toBeVisible();
  const csv = (await readFile(await download.path(), "utf8")).trim().split(/\r?\n/);
  expect(csv[0]).toBe("api_key_id,hint,hour,outcome,requests");
  expect(csv.slice(1).map((line) => line.split(",").slice(3))).toEqual([["SERVED", "4"]]);
  await dialog.getByRole("button", { name: "Close" }).click();
  // and the list's sparkline too, read again on the same event
  await expect(page.getByRole("button", { name: `4 served in the last 30 days: show the usage of ${description}` })).toBeVisible();
});

test("the keys can be listed most and least used over 30 days", async ({ page }) => {
  await signIn(page, "Administrator of WSOR (Wisconsin & Southern Railroad)");
  await openCarrier(page, "WSOR", "API keys");
  const order = page.getByRole("combobox", { name: "Order" });
  const rows = page.getByRole("table", { name: "API keys" }).locator("tbody tr");
  // the demo's busy key served thousands of requests: first when most used; a key that served nothing
  // (the demo's idle one, or another spec's) first when least used
  await order.selectOption({ label: "Most used (30 days)" });
  await expect(rows.first()).toContainText("Dispatch board feed");
  await order.selectOption({ label: "Least used (30 days)" });
  await expect(rows.first().getByRole("button", { name: /^0 served in the last 30 days: show the usage of / })).toBeVisible();
  await expect(rows.first()).not.toContainText("Dispatch board feed");
});
