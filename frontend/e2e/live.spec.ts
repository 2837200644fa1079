// Live changes: the open tab follows changes made elsewhere (the API, another window) over the page's
// WebSocket, without reloading; the header says whether it is live. Against the development server
// and, with trusted documents only, the production-configured one.
import type { Page } from "@playwright/test";
import { grant, reviewAndCreate, startKey } from "./keySteps";
import { api, carrierIdOf, expect, openCarrier, screenshot, signIn, signInWithOidc, STAFF, test } from "./support";

const PW_ADMIN = "Administrator of PW (Providence and Worcester Railroad)";
const NPCR_ADMIN = "Administrator of NPCR (Northern Plains Railroad)";
const production = process.env.TOOLS_PROD_URL ?? "";

/** Every subscribe message the page sends over its WebSockets. */
function subscribeMessages(page: Page): { payload: Record<string, unknown> }[] {
  const sent: { payload: Record<string, unknown> }[] = [];
  page.on("websocket", (socket) => {
    socket.on("framesent", ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; payload: Record<string, unknown> };
      if (message.type === "subscribe") sent.push(message);
    });
  });
  return sent;
}

/** Marks the document: the mark is gone if the page reloads or navigates away. */
async function markPage(page: Page) {
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  return async () => expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
}

const liveIndicator = (page: Page) => page.getByRole("banner").getByRole("status");

/**
 * "Live" is the socket's state; the server registers a tab's subscription a moment after (it checks the
 * subscriber's reach with a query first), and a change made in between is never sent to it. So `change`
 * is made again (`attempt` 1, 2, …) until `shown` passes: each is one more event for the open tab. What is
 * tested is that one arrives without a reload, not how soon.
 */
async function changeUntilShown(change: (attempt: number) => Promise<void>, shown: () => Promise<void>) {
  let attempt = 0;
  await expect(async () => {
    attempt += 1;
    await change(attempt);
    await shown();
  }).toPass({ timeout: 30_000 });
}

/** A staff change of a key's description, through the API (one more event for its carrier). */
async function describeAgain(staff: Awaited<ReturnType<typeof api>>, id: string, description: string) {
  const updated = await staff(`mutation ($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { __typename } }`, {
    input: { id, description },
  });
  expect(updated.errors).toBeUndefined();
}

test.describe("live changes", () => {
  test("a key created and revoked through the API shows in the open API keys tab without a reload", async ({ page, request }) => {
    const subscribes = subscribeMessages(page);
    await signIn(page, PW_ADMIN);
    await openCarrier(page, "PW", "API keys");
    await expect(liveIndicator(page)).toHaveText("Live");
    const notReloaded = await markPage(page);

    // another client (staff, through the API) creates a key for PW, then revokes it
    const staff = await api(request, { kind: "STAFF" });
    const carrierId = await carrierIdOf(request, "PW");
    const description = `Live sync ${Date.now()}`;
    const created = await staff<{ createApiKey: { apiKey: { id: string } } }>(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { apiKey { id } } } }`,
      { input: { carrierId, description, scopes: ["CARRIER_READ"] } },
    );
    expect(created.errors).toBeUndefined();
    const keyId = created.data.createApiKey.apiKey.id;
    const row = page.getByRole("row", { name: new RegExp(description) });
    await changeUntilShown(
      async (attempt) => {
        if (attempt > 1 && !(await row.count())) await describeAgain(staff, keyId, `${description} (${attempt})`);
      },
      () => expect(row).toContainText("Active", { timeout: 2_000 }),
    );

    const revoked = await staff(`mutation ($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename } }`, {
      input: { id: created.data.createApiKey.apiKey.id, reason: "Revoked elsewhere" },
    });
    expect(revoked.errors).toBeUndefined();
    await expect(row).toContainText("Revoked — Revoked elsewhere");
    await notReloaded();
    await screenshot(page, "live-api-keys");

    // the page named its subscription by its trusted-document id, never by its text
    expect(subscribes.length).toBeGreaterThan(0);
    for (const { payload } of subscribes) {
      expect(payload.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(payload).not.toHaveProperty("query");
    }
    expect(subscribes.map(({ payload }) => payload.operationName)).toContain("ApiKeyChanges");
  });

  test("an enablement staff change in another window shows in the carrier administrator's open Enablements tab", async ({ page, browser }) => {
    await signIn(page, NPCR_ADMIN);
    await openCarrier(page, "NPCR", "Enablements");
    await expect(liveIndicator(page)).toHaveText("Live");
    const notReloaded = await markPage(page);
    const carHire = page.getByRole("table", { name: "Features for NPCR" }).getByRole("row", { name: /Car hire/ });
    const before = (await carHire.getByRole("cell").nth(1).textContent())?.trim();
    const target = before === "On" ? "Off" : "On";

    const context = await browser.newContext();
    const staffPage = await context.newPage();
    await signIn(staffPage, STAFF);
    await openCarrier(staffPage, "NPCR", "Enablements");
    await staffPage.getByRole("button", { name: "Change Car hire for NPCR" }).click();
    const dialog = staffPage.getByRole("dialog", { name: "Change Car hire for NPCR" });
    await dialog.getByRole("radio", { name: target, exact: true }).check();
    await dialog.getByLabel("Reason for this change (required)").fill("Browser test: a change made elsewhere");
    await dialog.getByRole("button", { name: "Save setting" }).click();
    await expect(staffPage.getByRole("status").filter({ hasText: `Car hire is now set to ${target} for NPCR.` })).toBeVisible();
    await context.close();

    await expect(carHire.getByRole("cell").nth(1)).toHaveText(target);
    await expect(carHire.getByRole("cell").nth(2)).toHaveText("Carrier");
    await notReloaded();
    await screenshot(page, "live-enablements");
  });

  test("new activity appears in the open Activity tab", async ({ page, request }) => {
    await signIn(page, PW_ADMIN);
    await openCarrier(page, "PW", "Activity");
    await expect(liveIndicator(page)).toHaveText("Live");
    const notReloaded = await markPage(page);
    const staff = await api(request, { kind: "STAFF" });
    const carrierId = await carrierIdOf(request, "PW");
    const description = `Activity probe ${Date.now()}`;
    const created = await staff<{ createApiKey: { apiKey: { id: string } } }>(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { apiKey { id } } } }`,
      { input: { carrierId, description, scopes: ["CARRIER_READ"] } },
    );
    expect(created.errors).toBeUndefined();
    const activity = page.getByRole("tabpanel", { name: "Activity" });
    await changeUntilShown(
      async (attempt) => {
        if (attempt > 1) await describeAgain(staff, created.data.createApiKey.apiKey.id, `${description} (${attempt})`);
      },
      () => expect(activity).toContainText(description, { timeout: 2_000 }),
    );
    await notReloaded();
  });

  test("every tab watches its carrier (the Organization tab its key policy), and the socket closes on sign-out", async ({ page }) => {
    const sockets: { closed: boolean }[] = [];
    page.on("websocket", (socket) => {
      const seen = { closed: false };
      sockets.push(seen);
      socket.on("close", () => (seen.closed = true));
    });
    await signIn(page, PW_ADMIN);
    await openCarrier(page, "PW", "API keys");
    await expect(liveIndicator(page)).toHaveText("Live");
    await page.getByRole("tab", { name: "Organization" }).click();
    await expect(page.getByRole("tabpanel", { name: "Organization" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Key policy PW’s keys follow" })).toBeVisible();
    await expect(liveIndicator(page)).toHaveText("Live");
    await page.getByRole("tab", { name: "API keys" }).click();
    await expect(liveIndicator(page)).toHaveText("Live");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: `Sign in as ${PW_ADMIN}` })).toBeVisible();
    await expect.poll(() => sockets.length > 0 && sockets.every((socket) => socket.closed)).toBe(true);
  });
});

test.describe("live changes with production settings (trusted documents only)", () => {
  test.skip(!production && !process.env.CI, "run through tests/browser (it starts the production server and the provider)");

  test("a key made in another window appears in the first, over OpenID Connect sign-in", async ({ page, browser }) => {
    await signInWithOidc(page, `${production}/carriers/WSOR/api-keys`, "wes@wsor.example");
    await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
    await expect(liveIndicator(page)).toHaveText("Live");
    const notReloaded = await markPage(page);

    const context = await browser.newContext();
    const other = await context.newPage();
    await signInWithOidc(other, `${production}/carriers/WSOR/api-keys`, "wes@wsor.example");
    const description = `Made in another window ${Date.now()}`;
    const form = await startKey(other, description);
    await grant(form, "CARRIER_READ");
    await reviewAndCreate(other, form);
    const secret = other.getByRole("dialog", { name: "Copy your new API key" });
    await secret.getByRole("checkbox", { name: "I have copied the key and stored it safely" }).check();
    await secret.getByRole("button", { name: "Done" }).click();

    const row = page.getByRole("row", { name: new RegExp(description) });
    await expect(row).toContainText("Active");

    // and revoked there: the first window shows it revoked (the key does not count against the limit)
    await other.getByRole("button", { name: `Revoke ${description}` }).click();
    const dialog = other.getByRole("dialog", { name: `Revoke “${description}”` });
    await dialog.getByLabel("Reason for revoking (required)").fill("Browser test: live in production settings");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await context.close();
    await expect(row).toContainText("Revoked");
    await notReloaded();
    await expect(liveIndicator(page)).toHaveText("Live");
  });
});
