// GraphiQL (served by the API at /graphql, development settings) runs a subscription over the API's
// WebSocket with the Authorization header its headers editor holds: an event caused over HTTP appears
// in its result pane. Its Content-Security-Policy (connect-src 'self') lets the socket through.
import type { Page } from "@playwright/test";
import { api, carrierIdOf, expect, test } from "./support";

/** Sets one of GraphiQL's editors (CodeMirror 5): the query editor, or the one whose text matches. */
async function setEditor(page: Page, which: "query" | "headers", text: string) {
  await page.evaluate(
    ({ which, text }) => {
      type Editor = { getValue(): string; setValue(value: string): void };
      const editors = [...document.querySelectorAll<HTMLElement>(".CodeMirror")].map((element) => ({
        element,
        editor: (element as unknown as { CodeMirror: Editor }).CodeMirror,
      }));
      const found =
        which === "query"
          ? editors.find(({ element }) => element.closest(".graphiql-query-editor"))
          : editors.find(({ editor }) => editor.getValue().includes("Authorization"));
      if (!found) throw new Error(`no ${which} editor`);
      found.editor.setValue(text);
    },
    { which, text },
  );
}

/** GraphiQL reads the operation's name from its editor 100 ms after a change (as after typing). */
async function untilGraphiqlReads(page: Page, operationName: string) {
  await expect
    .poll(() =>
      page.evaluate(
        () => (document.querySelector(".graphiql-query-editor .CodeMirror") as unknown as { CodeMirror: { operationName?: string } }).CodeMirror.operationName,
      ),
    )
    .toBe(operationName);
}

async function devToken(page: Page, carrierCode: string): Promise<string> {
  const response = await page.request.post("/auth/dev-token", { data: { kind: "CARRIER_ADMIN", carrierCode } });
  return ((await response.json()) as { token: string }).token;
}

test.describe("GraphiQL", () => {
  test("runs a subscription with the headers editor's Authorization, and shows an event caused over HTTP", async ({ page, request }) => {
    // what the Content-Security-Policy refuses (a socket outside connect-src would be)
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { violations: string[] }).violations = seen;
      document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
    const subscribes: Record<string, unknown>[] = [];
    const inits: Record<string, unknown>[] = [];
    page.on("websocket", (socket) =>
      socket.on("framesent", ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload: Record<string, unknown> };
        if (message.type === "subscribe") subscribes.push(message.payload);
        if (message.type === "connection_init") inits.push(message.payload);
      }),
    );

    const carrierId = await carrierIdOf(request, "PW");
    const token = await devToken(page, "PW");
    await page.goto("/graphql");
    await expect(page.locator(".graphiql-execute-button")).toBeVisible({ timeout: 15_000 });
    await setEditor(page, "headers", JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2));
    await setEditor(page, "query", `subscription Watch {\n  activityAppended(carrierId: "${carrierId}") {\n    action\n    carrier { code }\n  }\n}\n`);
    await untilGraphiqlReads(page, "Watch");
    await page.locator(".graphiql-execute-button").click();
    await expect.poll(() => subscribes.length).toBe(1);
    expect(inits).toEqual([{ Authorization: `Bearer ${token}` }]);

    // a change made over HTTP, by someone else
    const staff = await api(request, { kind: "STAFF" });
    const created = await staff(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeyPayload { apiKey { id } } } }`,
      { input: { carrierId, description: `GraphiQL subscription probe ${Date.now()}`, scopes: ["CARRIER_READ"] } },
    );
    expect(created.errors).toBeUndefined();

    const result = page.locator(".result-window");
    await expect(result).toContainText('"activityAppended"', { timeout: 15_000 });
    await expect(result).toContainText('"code": "PW"');
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  });

  test("without an Authorization header the subscription is refused, in the result pane", async ({ page, request }) => {
    const carrierId = await carrierIdOf(request, "PW");
    await page.goto("/graphql");
    await expect(page.locator(".graphiql-execute-button")).toBeVisible({ timeout: 15_000 });
    await setEditor(page, "headers", "{}");
    await setEditor(page, "query", `subscription Refused { activityAppended(carrierId: "${carrierId}") { action } }`);
    await untilGraphiqlReads(page, "Refused");
    await page.locator(".graphiql-execute-button").click();
    await expect(page.locator(".result-window")).toContainText("4401", { timeout: 15_000 });
    await expect(page.locator(".result-window")).toContainText("Sign in");
  });
});
