import type { Page } from "@playwright/test";
import { makeKey } from "./keySteps";
import { api, CARRIER_ADMIN, carrierIdOf, dayAhead, everyScreen, expect, expectAccessible, openCarrier, ORGANIZATION_ADMIN, signIn, STAFF, test, who } from "./support";

const GREAT_LAKES = "Great Lakes Short Line Group";

/** Change a filter and wait for the list it asks for (from the server, or urql's cache for one seen before). */
async function filter(page: Page, change: () => Promise<unknown>) {
  await change();
  await expect(page.getByRole("status").filter({ hasText: /^Showing \d+ of \d+ events?\.$/ })).toBeVisible();
}

test.describe("activity tab", () => {
  for (const [role, label, code] of [
    ["carrier administrator", CARRIER_ADMIN, "WSOR"],
    ["organization administrator", ORGANIZATION_ADMIN, "CFE"],
    ["staff", STAFF, "SLR"],
  ] as const) {
    test(`${who(role)} reads what happened to the carrier as sentences naming their targets, in a time zone of their choice, and filters it on the server`, async ({
      page,
      request,
    }) => {
      // a key that expires within the policy's "soon": the expiry job (the system) says so in the log
      const staff = await api(request, { kind: "STAFF" });
      const expiring = await staff<{ createApiKey: { __typename: string } }>(
        "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }",
        { input: { carrierId: await carrierIdOf(request, code), description: `Expiring feed ${code}`, scopes: ["CARRIER_READ"], expiresOn: dayAhead(3) } },
      );
      expect(expiring.data.createApiKey.__typename).toBe("CreateApiKeyPayload");
      await signIn(page, label);
      await openCarrier(page, code, "API keys");
      await makeKey(page, `Audit trail probe ${code}`);
      await page.getByRole("tab", { name: "Activity" }).click();
      const table = page.getByRole("table", { name: "Activity" });
      const created = table.getByRole("row", { name: new RegExp(`Audit trail probe ${code}`) }).first();
      await expect(created).toContainText(new RegExp(`created the API key “Audit trail probe ${code} \\(cak_test_…\\w{4}\\)” \\(${code}\\)\\.`));
      await expect(created).toContainText("API key created (apiKey.create)");
      // the expiry job is the system, not a member of staff
      const noticed = table.getByRole("row", { name: new RegExp(`Expiring feed ${code}`) }).filter({ hasText: "expires soon" });
      await expect(async () => {
        await filter(page, () => page.getByRole("combobox", { name: "Outcome" }).selectOption("Succeeded"));
        await filter(page, () => page.getByRole("combobox", { name: "Outcome" }).selectOption("All outcomes"));
        await expect(noticed).toHaveCount(1, { timeout: 1000 });
      }).toPass({ timeout: 20_000 });
      await expect(noticed).toContainText(`The system automatic noticed that the API key “Expiring feed ${code}`);
      await expect(noticed).not.toContainText("staff");

      // every time shows its zone; hovering or focusing it shows the exact instant in UTC
      const when = created.getByRole("cell").first().locator("time");
      await expect(when).toHaveText(/, \d{1,2}:\d{2} [AP]M C[SD]T$/);
      await when.hover();
      await expect(created.getByRole("tooltip")).toBeVisible();
      await expect(created.getByRole("tooltip")).toContainText(/ · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
      await page.mouse.move(0, 0);
      await expect(created.getByRole("tooltip")).toBeHidden();
      await when.focus();
      await expect(created.getByRole("tooltip")).toBeVisible();
      await expect(when).toHaveAccessibleDescription(/UTC$/);
      // the user chooses the zone: every time follows, and the choice is remembered
      await page.getByRole("combobox", { name: "Times in" }).selectOption("UTC");
      await expect(when).toHaveText(/ UTC$/);
      await page.reload();
      await expect(page.getByRole("table", { name: "Activity" }).getByRole("row").nth(1).locator("time").first()).toHaveText(/ UTC$/);
      await page.getByRole("combobox", { name: "Times in" }).selectOption({ index: 0 });
      await expect(page.getByRole("table", { name: "Activity" }).getByRole("row").nth(1).locator("time").first()).toHaveText(/ C[SD]T$/);

      await filter(page, () => page.getByRole("combobox", { name: "Action" }).selectOption("apiKey.create"));
      const rows = table.getByRole("row");
      const count = await rows.count();
      expect(count).toBeGreaterThan(1);
      for (let index = 1; index < count; index++) await expect(rows.nth(index)).toContainText("apiKey.create");
      // what the event changed, in the API's terms
      const changes = rows.nth(1).getByRole("cell").last();
      await changes.locator("summary").click();
      await expect(changes).toContainText(`Audit trail probe ${code}`);
      await expect(changes).toContainText("CARRIER_READ");

      // refused attempts are asked of the server (no key creation was refused)
      const asked = page.waitForRequest((request) => request.url().endsWith("/graphql") && request.postData()?.includes('"ActivityTab"') === true);
      await filter(page, () => page.getByRole("combobox", { name: "Outcome" }).selectOption("Refused"));
      expect((await asked).postDataJSON()).toMatchObject({ variables: { outcome: "REFUSED", action: "apiKey.create" } });
      await expect(page.getByText("Nothing matches these filters yet.")).toBeVisible();
      await filter(page, () => page.getByRole("combobox", { name: "Action" }).selectOption("All actions"));
      await filter(page, () => page.getByRole("combobox", { name: "Outcome" }).selectOption("All outcomes"));

      // who, and when: a day range in the browser's calendar
      const me = await page.getByRole("combobox", { name: "Who" }).locator("option").nth(1).textContent();
      await filter(page, () => page.getByRole("combobox", { name: "Who" }).selectOption({ index: 1 }));
      await expect(table.getByRole("row").nth(1)).toContainText(me ?? "");
      await filter(page, () => page.getByRole("combobox", { name: "Who" }).selectOption("Anyone"));
      await filter(page, () => page.getByLabel("Until").fill(dayAhead(-2)));
      await expect(table.getByRole("row", { name: /Audit trail probe/ })).toHaveCount(0);
      await filter(page, () => page.getByLabel("Until").fill(""));
      await everyScreen(page, `activity-${role.replace(" ", "-")}`);
    });
  }

  test("an organization administrator sees the organization's own events with a carrier's, and can leave them out", async ({ page, request }) => {
    // staff change a setting of the organization itself (not of any one carrier)
    const staff = await api(request, { kind: "STAFF" });
    const organization = await staff<{ carrier: { organization: { id: string } } }>('{ carrier(code: "MQT") { organization { id } } }');
    const set = await staff(
      `mutation ($input: SetOrganizationEnablementInput!) { setOrganizationEnablement(input: $input) { __typename } }`,
      {
        input: {
          organizationId: organization.data.carrier.organization.id,
          featureKey: "operations.yard_check",
          state: "ENABLED",
          reason: "Great Lakes trial of yard checks",
        },
      },
    );
    expect(set.errors).toBeUndefined();

    await signIn(page, ORGANIZATION_ADMIN);
    await openCarrier(page, "MQT", "Activity");
    await expect(page.getByText(`What happened to MQT and its organization ${GREAT_LAKES}`)).toBeVisible();
    const ownEvent = page.getByRole("table", { name: "Activity" }).getByRole("row", { name: /Great Lakes trial of yard checks/ });
    await expect(ownEvent).toContainText(`set Yard check to on for the organization ${GREAT_LAKES}`);
    await expect(ownEvent).toContainText("enablement.setForOrganization");
    await filter(page, () => page.getByRole("checkbox", { name: `Include ${GREAT_LAKES}’s own events` }).uncheck());
    await expect(ownEvent).toHaveCount(0);
    await filter(page, () => page.getByRole("checkbox", { name: `Include ${GREAT_LAKES}’s own events` }).check());
    await expect(ownEvent).toHaveCount(1);
    await everyScreen(page, "activity-organization-events");
    await expectAccessible(page, "activity with the organization's events");
  });
});
