import type { Page } from "@playwright/test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { finishSecret } from "./keySteps";
import { api, CARRIER_ADMIN, carrierIdOf, everyScreen, expect, expectAccessible, expectFits, openCarrier, ROLES, screenshot, signIn, STAFF, test } from "./support";

/** Leave the page for a blank document, then count operations from zero: a request the page before was
 * still to send (a tab's query after the landing page) cannot be counted as the next load's. Waiting for
 * "networkidle" did not do it: that state, once reached, is not waited for again. */
async function countFromHere(page: Page, operations: string[]): Promise<void> {
  await page.goto("about:blank");
  operations.length = 0;
}

const BUDGET_GZIP_BYTES = 250 * 1024;

/** Counts the live events (`next` messages on the page's WebSocket) the page receives from here on. The
 * other workers' flows change the same carriers meanwhile, and a tab reads its data again on an event:
 * that refresh is the live feature at work, not the load's. */
function liveEvents(page: Page): { received: number } {
  const seen = { received: 0 };
  page.on("websocket", (socket) =>
    socket.on("framereceived", (frame) => {
      if (typeof frame.payload === "string" && frame.payload.includes('"type":"next"')) seen.received += 1;
    }),
  );
  return seen;
}

/** The load asked exactly `expected`, in order; anything after is the tab's own query read again, once at
 * most per live event received meanwhile. */
function expectLoad(operations: string[], expected: readonly string[], events: number, what: string): void {
  expect(operations.slice(0, expected.length), what).toEqual(expected);
  const again = operations.slice(expected.length);
  expect(again.filter((name) => name !== expected.at(-1)), `${what}: only its query is read again`).toEqual([]);
  expect(again.length, `${what}: read again ${again.length} times after ${events} live events`).toBeLessThanOrEqual(events);
}

test.describe("quality", () => {
  // The longest file of the suite (axe-core twice per screen, every screen at two widths): its tests are
  // independent of each other, so they spread over the workers rather than queue in one.
  test.describe.configure({ mode: "parallel" });

  test("the sign-in screen has no serious accessibility violation, and fits a phone", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Development sign-in" })).toBeVisible();
    await expectAccessible(page, "sign-in");
    await everyScreen(page, "sign-in");
  });

  test("the page follows the system's colour scheme", async ({ page }) => {
    await signIn(page, STAFF);
    const colours = () =>
      page.evaluate(() => {
        const style = getComputedStyle(document.documentElement);
        return { background: style.backgroundColor, text: style.color, scheme: style.colorScheme };
      });
    await page.emulateMedia({ colorScheme: "light" });
    const light = await colours();
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await colours();
    expect(light.background).toBe("rgb(246, 247, 249)");
    expect(dark.background).toBe("rgb(18, 22, 29)");
    expect(dark.text).not.toBe(light.text);
    // native controls (selects, date pickers, scroll bars) follow too
    expect(dark.scheme).toBe("light dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  for (const { role, label } of ROLES) {
    test(`every screen passes axe-core for the ${role}, in both colour schemes`, async ({ page }) => {
      test.setTimeout(120_000); // axe-core reads each screen twice, once per colour scheme
      await signIn(page, label);
      await openCarrier(page, "WSOR", "Organization");
      await expectAccessible(page, "organization tab");
      if (role === "staff") {
        await page.getByRole("button", { name: "Rename organization" }).click();
        await expectAccessible(page, "rename organization form");
        await page.getByRole("button", { name: "Move to another organization" }).click();
        await page.getByRole("searchbox", { name: "Search organizations" }).fill("a");
        await expectAccessible(page, "move carrier form with the organization picker");
        await openCarrier(page, "BPRR", "Organization");
        await page.getByRole("button", { name: "Create new Organization" }).click();
        await page.getByRole("searchbox", { name: "Find carriers in no organization" }).fill("r");
        await expect(page.getByRole("region", { name: "Carriers found" }).getByRole("button").first()).toBeVisible();
        await expectAccessible(page, "create organization form with the carrier search");
        await openCarrier(page, "WSOR", "Organization");
      }
      await page.getByRole("tab", { name: "Enablements" }).click();
      await expect(page.getByRole("table", { name: "Features for WSOR" })).toBeVisible();
      await expectAccessible(page, "enablements tab");
      if (role === "staff") {
        await page.getByRole("button", { name: "Change Waybills for WSOR" }).click();
        await expect(page.getByRole("dialog")).toBeVisible();
        await expectAccessible(page, "change enablement dialog");
        await page.keyboard.press("Escape");
      }
      await page.getByRole("tab", { name: "API keys" }).click();
      await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
      await expect(page.getByRole("table", { name: "API keys" })).toBeVisible();
      await expectAccessible(page, "API keys tab");
      await page.getByRole("button", { name: "Create an API key" }).click();
      await expect(page.getByRole("textbox", { name: "Description" })).toBeFocused();
      await page.getByRole("button", { name: "Add an address or range" }).click();
      await page.getByRole("textbox", { name: "Allowed address or range 1" }).fill("not-an-address");
      await page.getByRole("radio", { name: "On a day I choose" }).check();
      await page.getByLabel("Stops working at the end of").fill("2099-01-01");
      await page.getByRole("button", { name: "Review the key" }).focus();
      await page.keyboard.press("Enter");
      await expect(page.getByRole("textbox", { name: "Description" })).toBeFocused();
      await expectAccessible(page, "create key form with field errors");
      await page.getByRole("button", { name: "Cancel" }).click();
      await expect(page.getByRole("button", { name: "Create an API key" })).toBeFocused();
      await page.getByRole("checkbox", { name: /^Expiring soon/ }).check();
      await page.getByRole("checkbox", { name: /^Expiring soon/ }).uncheck();
      const rotate = page.getByRole("button", { name: /^Rotate / }).first();
      await rotate.click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectAccessible(page, "rotate key dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: /^Edit / }).first().click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectAccessible(page, "edit key dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: /^Revoke / }).first().click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await expectAccessible(page, "revoke key dialog");
      await page.keyboard.press("Escape");
      await page.getByRole("tab", { name: "Activity" }).click();
      await expect(page.getByRole("heading", { name: "Activity" })).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: /^Showing / })).toBeVisible();
      const details = page.locator("table.activity summary").first();
      if (await details.count()) await details.click();
      await expectAccessible(page, "activity tab");
    });
  }

  test("the page works with the network cut off except the server itself", async ({ page, baseURL }) => {
    const origin = new URL(baseURL ?? "").origin;
    const blocked: string[] = [];
    await page.context().route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith("data:")) return route.continue();
      blocked.push(url);
      return route.abort("internetdisconnected");
    });
    await signIn(page, STAFF);
    for (const tab of ["Organization", "Enablements", "API keys", "Activity"] as const) {
      await openCarrier(page, "WSOR", tab);
      await expect(page.getByRole("tabpanel", { name: tab }).getByRole("heading", { level: 2 }).first()).toBeVisible();
    }
    expect(blocked).toEqual([]);
  });

  test("first load asks for its data in at most two GraphQL requests, and the figures", async ({ page, operations }) => {
    // What a load transferred: every request it made, and the bytes of JavaScript that came over the wire
    // (a script already in the browser's cache transfers nothing).
    const loaded = () =>
      page.evaluate(() => {
        const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
        const scripts = resources.filter((entry) => entry.name.endsWith(".js"));
        return {
          requests: resources.length + 1, // and the document itself
          javascriptTransferredBytes: scripts.reduce((sum, entry) => sum + entry.transferSize, 0),
          javascriptDecodedBytes: scripts.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
        };
      });
    // A first visit, nothing cached: usable once the sign-in choices are on screen.
    await page.goto("/");
    await expect(page.getByRole("button", { name: `Sign in as ${CARRIER_ADMIN}` })).toBeVisible();
    const firstVisit = { usableMs: Math.round(await page.evaluate(() => performance.now())), ...(await loaded()) };

    await page.getByRole("button", { name: `Sign in as ${CARRIER_ADMIN}` }).click();
    await expect(page.getByRole("heading", { level: 1, name: /^Tools/ })).toBeVisible();
    await countFromHere(page, operations); // the landing page's own requests are not the next load's
    const live = liveEvents(page);
    // A fresh load of the page with a session: everything below is the first load's own work.
    await page.goto("/carriers/WSOR/api-keys");
    await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
    await expect(page.getByRole("table").or(page.getByText("no API keys yet"))).toBeVisible();
    const interactiveMs = await page.evaluate(() => performance.now());
    await page.waitForLoadState("networkidle");
    expectLoad(operations, ["ToolsPage", "ApiKeysTab"], live.received, "first load of /carriers/WSOR/api-keys");
    const withSession = { usableMs: Math.round(interactiveMs), ...(await loaded()), operations: [...operations] };

    const scripts = readdirSync("dist/assets").filter((name) => name.endsWith(".js"));
    const gzipBytes = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(`dist/assets/${name}`), { level: 9 }).length, 0);
    const figures = { javascriptGzipBytes: gzipBytes, scripts, firstVisit, withSession };
    mkdirSync("e2e/screenshots", { recursive: true }); // absent when no screenshot was taken (E2E_SCREENSHOTS=0)
    writeFileSync("e2e/screenshots/figures.json", JSON.stringify(figures, null, 2));
    console.log(`figures: ${JSON.stringify(figures)}`);
    expect(gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    await screenshot(page, "first-load-api-keys");
  });

  for (const { role, label } of ROLES) {
    test(`every tab fits a phone and a desktop, in both colour schemes, for the ${role}`, async ({ page }) => {
      await signIn(page, label);
      const name = role.replaceAll(" ", "-");
      for (const [tab, path] of [
        ["Organization", "organization"],
        ["Enablements", "enablements"],
        ["API keys", "api-keys"],
        ["Activity", "activity"],
      ] as const) {
        await openCarrier(page, "WSOR", tab);
        await expect(page.getByRole("tabpanel", { name: tab }).getByRole("heading", { level: 2 }).first()).toBeVisible();
        await expect(page.getByRole("tabpanel", { name: tab }).getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
        await everyScreen(page, `${path}-${name}`);
      }
      // the header fits a 320 px screen too
      await page.setViewportSize({ width: 320, height: 700 });
      await expectFits(page, "the API keys tab");
    });

    test(`focus goes where the keyboard expects when forms and dialogs open and close, for the ${role}`, async ({ page, request }) => {
      await signIn(page, label);
      await openCarrier(page, "WSOR", "API keys");
      await expect(page.getByRole("table", { name: "API keys" })).toBeVisible();
      // the create form: opened from the keyboard, focus in its first field; cancelled, back to the button
      const create = page.getByRole("button", { name: "Create an API key" });
      await create.focus();
      await page.keyboard.press("Enter");
      await expect(create).toHaveAttribute("aria-expanded", "true");
      await expect(page.getByRole("textbox", { name: "Description" })).toBeFocused();
      await page.getByRole("button", { name: "Cancel" }).click();
      await expect(create).toBeFocused();
      // each key dialog, closed by Escape, a button, or its close button, gives focus back to its opener
      const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ has: page.getByRole("button", { name: /^Rotate / }) }).first();
      const closings: [RegExp, string, (dialog: ReturnType<typeof page.getByRole>) => Promise<void>][] = [
        [/^Edit /, "Escape", async () => page.keyboard.press("Escape")],
        [/^Rotate /, "Cancel", async (dialog) => dialog.getByRole("button", { name: "Cancel" }).click()],
        [/^Revoke /, "the close button", async (dialog) => dialog.getByRole("button", { name: "Close" }).click()],
      ];
      for (const [name, how, close] of closings) {
        const opener = row.getByRole("button", { name });
        await opener.click();
        const dialog = page.getByRole("dialog");
        await expect(dialog).toBeVisible();
        await expect(dialog.locator(":focus")).toHaveCount(1);
        await close(dialog);
        await expect(dialog, how).toBeHidden();
        await expect(opener, `after ${how}`).toBeFocused();
      }
      // a rotated key's grace period, ended early from the keyboard alone; focus goes to what happened
      const description = `Keyboard rotation ${role}`;
      const created = await (await api(request, { kind: "STAFF" }))(
        "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }",
        { input: { carrierId: await carrierIdOf(request, "WSOR"), description, scopes: ["CARRIER_READ"] } },
      );
      expect(created.errors).toBeUndefined();
      await page.getByRole("searchbox", { name: "Search keys" }).fill(description);
      await page.getByRole("button", { name: `Rotate ${description}` }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("dialog").getByRole("radio", { name: "Keep it working for 1 hour" }).check();
      await page.getByRole("dialog").getByRole("button", { name: "Rotate key" }).press("Enter");
      await finishSecret(page);
      const stop = page.getByRole("button", { name: new RegExp(`^Stop the old key now \\(${description}, `) });
      await expect(page.getByRole("status").filter({ hasText: /^Showing 2 of 2 keys\.$/ })).toBeVisible();
      await stop.press("Enter");
      // the dialog asks one thing, and starts there
      await expect(page.getByRole("dialog").getByLabel("Reason for stopping it now (required)")).toBeFocused();
      await page.keyboard.type("Cut over by keyboard");
      await page.getByRole("dialog").getByRole("button", { name: "Stop the old key now" }).press("Enter");
      await expect(page.getByRole("status").filter({ hasText: `Stopped the old key of “${description}”` })).toBeFocused();
      await expect(stop).toHaveCount(0);

      if (role !== "staff") return;
      // staff: the enablements dialog, and the organization's forms and dialogs
      await page.getByRole("tab", { name: "Enablements" }).click();
      const change = page.getByRole("button", { name: "Change Waybills for WSOR" });
      await change.click();
      await page.keyboard.press("Escape");
      await expect(change).toBeFocused();
      await page.getByRole("tab", { name: "Organization" }).click();
      for (const [button, field] of [
        ["Rename organization", "New organization name"],
        ["Move to another organization", "Search organizations"],
      ] as const) {
        const opener = page.getByRole("button", { name: button });
        await opener.click();
        await expect(page.getByLabel(field)).toBeFocused();
        await page.getByRole("button", { name: "Cancel" }).click();
        await expect(opener).toBeFocused();
      }
      const detach = page.getByRole("button", { name: "Detach from organization" });
      await detach.click();
      await page.keyboard.press("Escape");
      await expect(detach).toBeFocused();
      const remove = page.getByRole("button", { name: "Delete organization" });
      await remove.click();
      await page.getByRole("button", { name: "OK" }).click();
      await expect(remove).toBeFocused();
      // service keys: the create form, cancelled
      await page.getByRole("tab", { name: "API keys" }).click();
      const section = page.getByRole("region", { name: "Service keys" });
      await section.getByRole("button", { name: "Show service keys" }).click();
      const service = section.getByRole("button", { name: "Create a service key" });
      await service.click();
      await expect(section.getByRole("textbox", { name: "Description" })).toBeFocused();
      await section.getByRole("button", { name: "Cancel" }).click();
      await expect(service).toBeFocused();
    });

    test(`every tab's first load asks at most two GraphQL requests, for the ${role}`, async ({ page, operations }) => {
      await signIn(page, label);
      const live = liveEvents(page);
      for (const [tab, query] of [
        ["organization", "OrganizationTab"],
        ["enablements", "EnablementsTab"],
        ["api-keys", "ApiKeysTab"],
        ["activity", "ActivityTab"],
      ] as const) {
        // What the page before is still asking (the landing page after sign-in) is not this load's.
        await countFromHere(page, operations);
        live.received = 0;
        await page.goto(`/carriers/WSOR/${tab}`);
        await expect(page.getByRole("tabpanel").getByRole("heading", { level: 2 }).first()).toBeVisible();
        // The tab's heading shows before its query is sent, and "networkidle" (half a second without a
        // request) can pass while a loaded machine renders between the two: wait for the query itself,
        // then for quiet, so that anything more the load asks is counted too.
        await expect.poll(() => operations, { message: `the first load of ${tab} asks ${query}` }).toContain(query);
        await page.waitForLoadState("networkidle");
        expectLoad(operations, ["ToolsPage", query], live.received, `first load of /carriers/WSOR/${tab}`);
      }
    });
  }
});
