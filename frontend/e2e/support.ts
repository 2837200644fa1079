// Shared steps of the browser suite: sign in as one of the three kinds of user, check a screen with
// axe-core, save its screenshot for the closing note, and watch which operations the page sends.
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, expect, type Page, test as base } from "@playwright/test";
import { TIME_ZONE } from "../playwright.config";

export const STAFF = "Platform staff";
export const CARRIER_ADMIN = "Administrator of WSOR (Wisconsin & Southern Railroad)";
export const ORGANIZATION_ADMIN = "Administrator of the organization Great Lakes Short Line Group";

export const ROLES = [
  { role: "staff", label: STAFF },
  { role: "carrier administrator", label: CARRIER_ADMIN },
  { role: "organization administrator", label: ORGANIZATION_ADMIN },
] as const;

/** Operations marked @restricted in schema.graphql: the page must never send them for non-staff. */
export const RESTRICTED_OPERATIONS = [
  "SearchOrganizations",
  "CreateOrganization",
  "AttachCarrier",
  "MoveCarrier",
  "DetachCarrier",
  "RenameOrganization",
  "DeleteOrganization",
  "SetCarrierEnablement",
  "SetOrganizationEnablement",
  "SetCarrierKeyPolicy",
  "CreateServiceKey",
  // not restricted, but service keys are staff's alone: the page does not ask for them for anyone else
  "ServiceKeys",
];

interface Fixtures {
  /** Every GraphQL operation the page sent, by name, in order. */
  operations: string[];
}

export const test = base.extend<Fixtures>({
  operations: async ({ page }, use) => {
    const names: string[] = [];
    page.on("request", (request) => {
      if (!request.url().endsWith("/graphql")) return;
      const body = request.postDataJSON() as { operationName?: string; query?: string } | null;
      expect(body?.query, "the page sends document hashes, never document text").toBeUndefined();
      names.push(body?.operationName ?? "?");
    });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await use(names);
    expect(problems, "uncaught errors in the page").toEqual([]);
  },
});

export { expect };

export async function signIn(page: Page, label: string, path = "/"): Promise<void> {
  await page.goto(path);
  await page.getByRole("button", { name: `Sign in as ${label}`, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^Tools/ })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Carrier" })).toBeVisible();
}

/** Production sign-in: the page's single sign-on button, then the test OpenID provider's own login page. */
export async function signInWithOidc(page: Page, url: string, login: string): Promise<void> {
  await page.goto(url);
  await page.getByRole("button", { name: "Sign in with single sign-on" }).click();
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  if (await consent.isVisible({ timeout: 1000 }).catch(() => false)) await consent.click();
  await expect(page.getByRole("heading", { level: 1, name: /^Tools/ })).toBeVisible();
}

/** Go to a carrier's tab the way a user does: the switcher, then the tab. */
export async function openCarrier(page: Page, code: string, tab: "Organization" | "Enablements" | "API keys" | "Activity") {
  const switcher = page.getByRole("combobox", { name: "Carrier" });
  await expect(switcher).toBeVisible();
  const labels = await switcher.locator("option").allTextContents();
  const label = labels.find((text) => text.startsWith(`${code} — `));
  if (label) {
    await switcher.selectOption({ label });
  } else {
    await page.getByRole("searchbox", { name: "Search all carriers" }).fill(code);
    await page.getByRole("region", { name: "Carrier search results" }).getByRole("link", { name: new RegExp(`^${code} — `) }).click();
  }
  await expect(page.getByRole("heading", { level: 1, name: `Tools for ${code}` })).toBeVisible();
  await page.getByRole("tab", { name: tab }).click();
  await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
}

const SCHEMES = ["light", "dark"] as const;

// What the colour scheme can change: the rest of axe-core's rules read the same page in either scheme.
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

/**
 * axe-core: no serious or critical violation on what is on screen now; every rule in the light scheme,
 * and again those about colour in the dark one.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    const axe = new AxeBuilder({ page });
    const results = await (colorScheme === "dark" ? axe.withRules(COLOUR_RULES) : axe).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    expect(serious, `axe-core on ${screen} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** A full-page screenshot for people to look at; none when E2E_SCREENSHOTS=0 (CI: nobody looks). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.E2E_SCREENSHOTS === "0") return;
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

/** The widths the page is checked at: a phone's, and a desktop's. */
export const WIDTHS = [390, 1440] as const;

/**
 * Nothing scrolls the page sideways, and every control on screen (in the open dialog, when one is) can
 * be scrolled into view and then lies inside the viewport, whole: none is cut off or pushed out.
 */
export async function expectFits(page: Page, where: string): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 0) found.push(`the page scrolls sideways by ${overflow}px`);
    const scope: ParentNode = document.querySelector("dialog[open]") ?? document;
    const controls = scope.querySelectorAll<HTMLElement>("button, a[href], input, select, textarea, summary, [tabindex='0']");
    for (const control of controls) {
      if (control.getClientRects().length === 0 || getComputedStyle(control).visibility === "hidden") continue;
      if (control.closest(".visually-hidden") || control.classList.contains("visually-hidden")) continue;
      control.scrollIntoView({ block: "nearest", inline: "nearest" });
      const box = control.getBoundingClientRect();
      if (box.left < -1 || box.right > window.innerWidth + 1) {
        const name = (control.getAttribute("aria-label") ?? control.textContent ?? control.tagName).trim().slice(0, 40);
        found.push(`${control.tagName.toLowerCase()} “${name}” spans ${Math.round(box.left)}–${Math.round(box.right)}px of ${window.innerWidth}`);
      }
    }
    window.scrollTo(0, 0);
    return found;
  });
  expect(problems, `layout of ${where} at ${page.viewportSize()?.width}px`).toEqual([]);
}

/**
 * A screen at both widths and in both colour schemes: checked to fit (no sideways scroll, every control
 * reachable) and saved as screenshots for the closing note (`<name>-<width>-<scheme>.png`).
 */
export async function everyScreen(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await expectFits(page, name);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `${name}-${width}-${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (original) await page.setViewportSize(original);
}

/** "a carrier administrator", "an organization administrator", "staff": for test titles. */
export function who(role: string): string {
  if (role === "staff") return "staff";
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}

type Who = { kind: "STAFF" } | { kind: "CARRIER_ADMIN"; carrierCode: string } | { kind: "ORGANIZATION_ADMIN"; organizationId: string };

/**
 * The API as another client sees it, to set the scene a test needs (someone else's change, an
 * integration using a key): a development token and ad-hoc documents (development servers take them
 * from people), or an API key's secret.
 */
export async function api(request: APIRequestContext, who: Who | { secret: string }) {
  const token =
    "secret" in who ? who.secret : ((await (await request.post("/auth/dev-token", { data: who })).json()) as { token: string }).token;
  return async function graphql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) {
    const response = await request.post("/graphql", { headers: { Authorization: `Bearer ${token}` }, data: { query, variables } });
    return (await response.json()) as { data: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  };
}

export async function carrierIdOf(request: APIRequestContext, code: string): Promise<string> {
  const staff = await api(request, { kind: "STAFF" });
  const answer = await staff<{ carrier: { id: string } }>("query ($code: String!) { carrier(code: $code) { id } }", { code });
  return answer.data.carrier.id;
}

/** A day `days` from today in the browser's time zone, as a date input takes it (yyyy-mm-dd). */
export function dayAhead(days: number): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(new Date());
  const [year, month, day] = today.split("-").map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, (day ?? 1) + days));
  return date.toISOString().slice(0, 10);
}

/** Sets a carrier's feature through the API, as staff elsewhere would. */
export async function setFeature(request: APIRequestContext, code: string, featureKey: string, state: "ENABLED" | "DISABLED" | "INHERIT") {
  const staff = await api(request, { kind: "STAFF" });
  const carrierId = await carrierIdOf(request, code);
  const answer = await staff(
    `mutation ($input: SetCarrierEnablementInput!) { setCarrierEnablement(input: $input) { __typename } }`,
    { input: { carrierId, featureKey, state, reason: "Browser test: set the scene" } },
  );
  expect(answer.errors).toBeUndefined();
}
