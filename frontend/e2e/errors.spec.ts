import { grant } from "./keySteps";
import { CARRIER_ADMIN, everyScreen, expect, expectAccessible, openCarrier, screenshot, setFeature, signIn, test } from "./support";

test.describe("errors", () => {
  test("a network failure keeps the form's contents, and a retry succeeds", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await page.getByRole("button", { name: "Create an API key" }).click();
    await page.getByRole("textbox", { name: "Description" }).fill("Production ERP integration");
    await grant(page.getByRole("form", { name: "Create an API key" }), "CARRIER_READ");
    await page.getByRole("button", { name: "Review the key" }).click();
    await page.route("**/graphql", (route) => route.abort("internetdisconnected"));
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "The server could not be reached" })).toBeVisible();
    await screenshot(page, "errors-network");
    await page.getByRole("button", { name: "Back to edit" }).click();
    await expect(page.getByRole("textbox", { name: "Description" })).toHaveValue("Production ERP integration");
    await expect(page.getByRole("radio", { name: /\bCARRIER_READ\b/ })).toBeChecked();
    await page.unroute("**/graphql");
    await page.getByRole("button", { name: "Review the key" }).click();
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByRole("dialog", { name: "Copy your new API key" })).toBeVisible();
  });

  test("rate limiting says when to retry", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await page.getByRole("button", { name: "Create an API key" }).click();
    await page.getByRole("textbox", { name: "Description" }).fill("Rate limited attempt");
    await grant(page.getByRole("form", { name: "Create an API key" }), "CARRIER_READ");
    await page.getByRole("button", { name: "Review the key" }).click();
    await page.route("**/graphql", (route) =>
      route.fulfill({
        status: 429,
        headers: { "Retry-After": "42", "Content-Type": "application/json" },
        body: JSON.stringify({ errors: [{ message: "Rate limit exceeded", extensions: { code: "RATE_LIMITED", retryAfter: 42 } }] }),
      }),
    );
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Too many requests right now." })).toContainText(/Try again in 4[0-2] seconds \(at .* C[SD]T\)/);
    await expect(page.getByRole("region", { name: "Review the new API key" })).toContainText("Rate limited attempt");
    await screenshot(page, "errors-rate-limited");
    await expectAccessible(page, "rate limited");
  });

  test("a failing tab shows what happened instead of a blank screen", async ({ page }) => {
    await signIn(page, CARRIER_ADMIN);
    await page.route("**/graphql", (route) => route.fulfill({ status: 500, contentType: "text/plain", body: "upstream exploded" }));
    await page.getByRole("tab", { name: "Enablements" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.unroute("**/graphql");
    await page.getByRole("button", { name: "Try again" }).click();
    await expect(page.getByRole("table", { name: "Features for WSOR" })).toBeVisible();
  });

  test("an expired session goes back to sign-in and keeps what was typed", async ({ page }) => {
    // a five-second session (the development endpoint takes lifetimeSeconds)
    await page.route("**/auth/dev-token", async (route) => {
      const body = route.request().postDataJSON() as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, lifetimeSeconds: 5 }) });
    });
    await signIn(page, CARRIER_ADMIN, "/carriers/WSOR/api-keys");
    await page.unroute("**/auth/dev-token");
    await page.getByRole("button", { name: "Create an API key" }).click();
    await page.getByRole("textbox", { name: "Description" }).fill("Typed before the session ended");
    await grant(page.getByRole("form", { name: "Create an API key" }), "KEYS_READ");
    await expect(page.getByRole("alert").filter({ hasText: "Your session has expired." })).toBeVisible({ timeout: 15_000 });
    await screenshot(page, "errors-session-expired");
    await page.getByRole("button", { name: `Sign in as ${CARRIER_ADMIN}` }).click();
    await expect(page).toHaveURL(/\/carriers\/WSOR\/api-keys$/);
    await expect(page.getByRole("textbox", { name: "Description" })).toHaveValue("Typed before the session ended");
    await expect(page.getByRole("radio", { name: /\bKEYS_READ\b/ })).toBeChecked();
  });

  test("the server's typed error appears at its field: a day the browser thinks is ahead but the server does not", async ({ page }) => {
    // The browser's clock runs three days behind the server's: the picker's first day (the browser's
    // tomorrow) is already over for the server, which says so at the field.
    await page.clock.install({ time: Date.now() - 3 * 86_400_000 });
    await signIn(page, CARRIER_ADMIN);
    await openCarrier(page, "WSOR", "API keys");
    await page.getByRole("button", { name: "Create an API key" }).click();
    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByRole("textbox", { name: "Description" }).fill("Clock skew probe");
    await form.getByRole("radio", { name: "On a day I choose" }).check();
    await grant(form, "CARRIER_READ");
    await form.getByRole("button", { name: "Review the key" }).click();
    await page.getByRole("button", { name: "Create API key" }).click();
    // a typed error about a field: back to the form, at that field
    const day = form.getByLabel("Stops working at the end of");
    await expect(day).toBeFocused();
    await expect(day).toHaveAttribute("aria-invalid", "true");
    await expect(day).toHaveAccessibleDescription(/expiresOn must be in the future/);
    await expect(form.getByRole("group", { name: "Expiration" })).toHaveAccessibleDescription(/expiresOn must be in the future/);
    await expect(form.getByRole("textbox", { name: "Description" })).toHaveValue("Clock skew probe");
    await screenshot(page, "api-keys-field-error");
  });

  test("a refusal the page could not foresee (API access turned off meanwhile) is explained, and the page catches up", async ({ page, request }) => {
    const admin = "Administrator of PNWR (Portland & Western Railroad)";
    await signIn(page, admin);
    await openCarrier(page, "PNWR", "API keys");
    await page.getByRole("button", { name: "Create an API key" }).click();
    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByRole("textbox", { name: "Description" }).fill("Crew scheduling sync");
    await grant(form, "CARRIER_READ");
    await form.getByRole("button", { name: "Review the key" }).click();
    const review = page.getByRole("region", { name: "Review the new API key" });

    await setFeature(request, "PNWR", "integrations.api_access", "DISABLED");
    await review.getByRole("button", { name: "Create API key" }).click();
    await expect(review.getByRole("alert")).toContainText("API access (integrations.api_access) is off for carrier PNWR");
    await expect(review).toContainText("Crew scheduling sync");
    // the page asked again what may be done: the button now says why it is off
    const create = review.getByRole("button", { name: "Create API key" });
    await expect(create).toHaveAttribute("aria-disabled", "true");
    await expect(create).toHaveAccessibleDescription(/API access \(integrations\.api_access\) is off for carrier PNWR/);
    await everyScreen(page, "errors-permission-changed");
    await expectAccessible(page, "a refusal the page could not foresee");
  });
});
