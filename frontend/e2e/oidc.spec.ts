// Production sign-in: OpenID Connect (authorization code + PKCE, oidc-client-ts) against a real
// `oidc-provider` started by globalSetup, with a server in production configuration: it verifies the
// provider's JWT access tokens through its JWKS and accepts only trusted documents from people.
import { expect, screenshot, signInWithOidc, test, who } from "./support";

const production = process.env.TOOLS_PROD_URL ?? "";

test.describe("OpenID Connect sign-in (production settings)", () => {
  test.skip(!production && !process.env.CI, "run through tests/browser (it starts the production server and the provider)");
  test.beforeAll(() => {
    expect(production, "TOOLS_PROD_URL: the harness starts a production-configured server").not.toBe("");
  });

  test("the development sign-in does not exist in production", async ({ page, request }) => {
    expect((await request.get(`${production}/auth/dev-identities`)).status()).toBe(404);
    expect((await request.post(`${production}/auth/dev-token`, { data: { kind: "STAFF" } })).status()).toBe(404);
    await page.goto(`${production}/`);
    await expect(page.getByRole("heading", { name: "Single sign-on" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Development sign-in" })).toHaveCount(0);
    await screenshot(page, "sign-in-production");
  });

  for (const [role, login, heading] of [
    ["carrier administrator", "wes@wsor.example", "Tools for WSOR"],
    ["organization administrator", "olga@greatlakes.example", /^Tools for /],
    ["staff", "staff@cedar.example", /^Tools for /],
  ] as const) {
    test(`${who(role)} signs in at the identity provider and uses the page with trusted documents only`, async ({ page, operations }) => {
      await signInWithOidc(page, `${production}/carriers/WSOR/api-keys`, login);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page).toHaveURL(/\/carriers\/WSOR\/api-keys$/);
      await expect(page.getByRole("heading", { name: "API Key Management" })).toBeVisible();
      await expect(page.getByRole("table").or(page.getByText("no API keys yet"))).toBeVisible();
      expect(operations).toContain("ApiKeysTab");
      if (role !== "staff") await expect(page.getByRole("region", { name: "Restricted functions" })).toBeVisible();
      await screenshot(page, `oidc-${role.replace(" ", "-")}`);
    });
  }
});
