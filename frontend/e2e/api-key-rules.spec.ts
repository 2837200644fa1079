// The carrier's state decides what may be done with its keys, and the page shows it before anyone
// tries: its API access feature off (keys refused, none issued), the active key limit reached.
import { api, carrierIdOf, everyScreen, expect, expectAccessible, openCarrier, screenshot, signIn, STAFF, test } from "./support";

const GULF_COAST_ADMIN = "Administrator of the organization Gulf Coast Rail Partners";

test.describe("API key rules", () => {
  test("staff turn a carrier's API access off: its keys are refused and issuing keys is disabled, for staff and its administrator", async ({
    page,
    request,
    browser,
  }) => {
    // an integration of DGNO with a working key
    const staff = await api(request, { kind: "STAFF" });
    const carrierId = await carrierIdOf(request, "DGNO");
    const issued = await staff<{ createApiKey: { secret: string } }>(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { secret } } }`,
      { input: { carrierId, description: "DGNO dispatch feed", scopes: ["CARRIER_READ"] } },
    );
    const key = await api(request, { secret: issued.data.createApiKey.secret });
    expect((await key('{ viewer { name } }')).data).toEqual({ viewer: { name: "DGNO dispatch feed" } });

    await signIn(page, STAFF);
    await openCarrier(page, "DGNO", "Enablements");
    const row = page.getByRole("table", { name: "Features for DGNO" }).getByRole("row", { name: /API access/ });
    await row.getByRole("button", { name: "Change API access for DGNO" }).click();
    const dialog = page.getByRole("dialog", { name: "Change API access for DGNO" });
    await dialog.getByRole("radio", { name: "Off", exact: true }).check();
    await dialog.getByLabel("Reason for this change (required)").fill("Contract suspended pending renewal");
    await dialog.getByRole("button", { name: "Save setting" }).click();
    await expect(page.getByRole("status").filter({ hasText: "API access is now set to Off for DGNO." })).toBeVisible();

    // the key is refused now, and the refusal is recorded
    const refused = await key('{ viewer { name } }');
    expect(JSON.stringify(refused)).toMatch(/API access|UNAUTHENTICATED|FORBIDDEN/);

    await page.getByRole("tab", { name: "API keys" }).click();
    const notice = page.getByRole("note", { name: "What you cannot do with these keys now" });
    await expect(notice).toContainText("Issuing keys and rotating keys unavailable:");
    await expect(notice).toContainText("API access (integrations.api_access) is off for carrier DGNO");
    const create = page.getByRole("button", { name: "Create an API key" });
    await expect(create).toBeDisabled();
    await expect(create).toHaveAccessibleDescription(/API access \(integrations\.api_access\) is off/);
    const keyRow = page.getByRole("row", { name: /DGNO dispatch feed/ });
    await expect(keyRow.getByRole("button", { name: "Rotate DGNO dispatch feed" })).toBeDisabled();
    await expect(keyRow.getByRole("button", { name: "Revoke DGNO dispatch feed" })).toBeEnabled();
    await expect(async () => {
      await page.reload();
      await expect(keyRow).toContainText("while the carrier’s API access was off", { timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await screenshot(page, "api-keys-api-access-off-staff");
    await expectAccessible(page, "API keys tab with API access off");

    // the carrier's own administrator sees the same, and sends nothing the API would refuse
    const context = await browser.newContext();
    const admin = await context.newPage();
    const sent: string[] = [];
    admin.on("request", (request) => {
      if (request.url().endsWith("/graphql")) sent.push((request.postDataJSON() as { operationName?: string }).operationName ?? "?");
    });
    await signIn(admin, "Administrator of DGNO (Dallas, Garland & Northeastern Railroad)");
    await openCarrier(admin, "DGNO", "API keys");
    await expect(admin.getByRole("note", { name: "What you cannot do with these keys now" })).toContainText("API access");
    await expect(admin.getByRole("button", { name: "Create an API key" })).toBeDisabled();
    await screenshot(admin, "api-keys-api-access-off-carrier-administrator");
    expect(sent.filter((name) => name === "CreateApiKey" || name === "RotateApiKey")).toEqual([]);
    await context.close();
  });

  test("an organization administrator at the active key limit: no new key, rotation only without a grace period, until one is revoked", async ({
    page,
    request,
  }) => {
    const staff = await api(request, { kind: "STAFF" });
    const carrierId = await carrierIdOf(request, "NOGC");
    for (let index = 1; index <= 25; index++) {
      const answer = await staff<{ createApiKey: { __typename: string } }>(
        `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }`,
        { input: { carrierId, description: `NOGC terminal ${index}`, scopes: ["CARRIER_READ"] } },
      );
      expect(answer.data.createApiKey.__typename).toBe("CreateApiKeyPayload");
    }

    await signIn(page, GULF_COAST_ADMIN);
    await openCarrier(page, "NOGC", "API keys");
    await expect(page.getByText("NOGC has 25 active keys of the 25 the key policy allows.")).toBeVisible();
    await expect(page.getByRole("note", { name: "What you cannot do with these keys now" })).toContainText(
      "Carrier NOGC already has 25 active keys, the most allowed",
    );
    await expect(page.getByRole("button", { name: "Create an API key" })).toBeDisabled();

    await page.getByRole("button", { name: "Rotate NOGC terminal 1", exact: true }).click();
    const rotate = page.getByRole("dialog", { name: "Rotate “NOGC terminal 1”" });
    const grace = rotate.getByRole("group", { name: "When should the old key stop working?" });
    await expect(grace.getByRole("radio", { name: "Stop the old key now" })).toBeChecked();
    await expect(grace.getByRole("radio", { name: "Keep it working for 1 day" })).toBeDisabled();
    await expect(grace).toHaveAccessibleDescription(/only stopping the old key now leaves room/);
    await everyScreen(page, "api-keys-limit-rotate");
    await expectAccessible(page, "rotate dialog at the key limit");
    await rotate.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Revoke NOGC terminal 2", exact: true }).click();
    const revoke = page.getByRole("dialog", { name: "Revoke “NOGC terminal 2”" });
    await revoke.getByLabel("Reason for revoking (required)").fill("Terminal closed");
    await revoke.getByRole("button", { name: "Revoke key" }).click();
    await expect(page.getByText("NOGC has 24 active keys of the 25 the key policy allows.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create an API key" })).toBeEnabled();
    await expect(page.getByRole("note", { name: "What you cannot do with these keys now" })).toHaveCount(0);
  });
});
