// Requests to Support that staff approve (or that expire), followed by the requester without reloading:
// adding a carrier to an organization and moving it, a key that never expires, and a request left
// unanswered until it expires. Every demo carrier is some other spec's (they share one database and run
// in parallel), so this spec makes carriers and organizations of its own, as staff would.
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { DATABASE_URL, execute } from "./database";
import { finishSecret, grant, reviewAndCreate, startKey } from "./keySteps";
import { api, expect, expectAccessible, openCarrier, ORGANIZATION_ADMIN, signIn, signInWithOidc, STAFF, test } from "./support";

const production = process.env.TOOLS_PROD_URL ?? "";
// Her token lists HBLR, LSRR and MVRR (e2e/oidcProvider.ts): a person who administers several carriers,
// which only the OpenID provider's tokens can say (the development sign-in lists one).
const NORA = "nora@harbor.example";
// Her carrier to attach and move, and one carrier in each of her two organizations.
const HARBOR = { code: "HBLR", name: "Harbor Belt Line Railroad" };
const LAKESHORE = { code: "LSRR", name: "Lakeshore Railroad", organization: "Lakeshore Holdings" };
const MILL_VALLEY = { code: "MVRR", name: "Mill Valley Railroad", organization: "Mill Valley Group" };
// A carrier whose administrator asks for a key that never expires; another's lets a request expire.
const SEACOAST = { code: "SCRR", name: "Seacoast Railroad" };
const BAYSIDE = { code: "BYRR", name: "Bayside Railroad" };
const adminOf = (carrier: { code: string; name: string }) => `Administrator of ${carrier.code} (${carrier.name})`;
const BPRR_ADMIN = "Administrator of BPRR (Buffalo & Pittsburgh Railroad)";

/** A carrier of this spec's own, made through the API as staff would (in no organization). */
async function makeCarrier(request: APIRequestContext, carrier: { code: string; name: string }): Promise<string> {
  const staff = await api(request, { kind: "STAFF" });
  const made = await staff<{ createCarrier: { __typename: string; carrier?: { id: string } } }>(
    "mutation ($input: CreateCarrierInput!) { createCarrier(input: $input) { __typename ... on CarrierPayload { carrier { id } } } }",
    { input: { code: carrier.code, name: carrier.name } },
  );
  expect(made.data.createCarrier.__typename).toBe("CarrierPayload");
  return made.data.createCarrier.carrier?.id ?? "";
}

/** Staff in a browser of their own, on a carrier's Requests tab, the queue narrowed to that carrier. */
async function staffQueue(browser: Browser, code: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, STAFF);
  await openCarrier(page, code, "Activity");
  await page.getByRole("tab", { name: "Requests" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Requests to Support" })).toBeVisible();
  await page.getByLabel(`Only ${code}`).check();
  return page;
}

async function approve(browser: Browser, code: string, summary: string | RegExp): Promise<void> {
  const staff = await staffQueue(browser, code);
  const queued = staff.getByRole("listitem").filter({ hasText: summary });
  await queued.getByRole("button", { name: /^Approve / }).click();
  await expect(queued).toHaveCount(0);
  await staff.context().close();
}

test.describe("requests to Support, approved or expired", () => {
  test("an administrator of several carriers requests adding a carrier to an organization, then moving it; each approval shows live", async ({
    page,
    browser,
    request,
  }) => {
    test.skip(!production && !process.env.CI, "run through tests/browser (it starts the production server and the OpenID provider)");
    // given: her carriers, two of them each in an organization of its own, made by staff
    await makeCarrier(request, HARBOR);
    const staffApi = await api(request, { kind: "STAFF" });
    const create = "mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { __typename } }";
    for (const carrier of [LAKESHORE, MILL_VALLEY]) {
      const carrierId = await makeCarrier(request, carrier);
      const made = await staffApi<{ createOrganization: { __typename: string } }>(create, { input: { name: carrier.organization, carrierIds: [carrierId] } });
      expect(made.data.createOrganization.__typename).toBe("OrganizationPayload");
    }
    await signInWithOidc(page, `${production}/carriers/${HARBOR.code}/organization`, NORA);
    await expect(page.getByRole("heading", { name: "HBLR is not in an organization" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add to existing Organization", exact: true })).toBeDisabled();

    // when: she requests HBLR be added to one of the organizations in her reach
    const ask = page.getByRole("button", { name: /^Request this change\W+Add to existing Organization$/ });
    await ask.click();
    const form = page.getByRole("form", { name: "Request this change from Support" });
    const choices = form.getByRole("group", { name: "Organization to join" });
    await expect(choices.getByRole("radio")).toHaveCount(2);
    await expect(choices.getByRole("radio", { name: "Lakeshore Holdings" })).toBeFocused(); // the first, by name
    await choices.getByRole("radio", { name: "Lakeshore Holdings" }).check();
    await expect(form.getByRole("region", { name: "Effect of this change" })).toContainText(/in Lakeshore Holdings/i);
    await form.getByLabel("Why you need it (Support reads this)").fill("HBLR interchanges with LSRR daily");
    await expectAccessible(page, "request to add a carrier to an organization");
    await form.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Requested from Support: Add HBLR to Lakeshore Holdings." })).toBeVisible();
    await expect(ask).toBeFocused(); // the form closed: focus is back on what opened it

    // then: once staff approve it (elsewhere), her Organization tab shows HBLR in it without a reload
    await approve(browser, "HBLR", "Add HBLR to Lakeshore Holdings");
    await expect(page.getByRole("heading", { name: "HBLR belongs to Lakeshore Holdings" })).toBeVisible();

    // when: she requests the move to her other organization (HBLR's own is not offered)
    await page.getByRole("button", { name: /^Request this change\W+Move HBLR to another organization$/ }).click();
    const move = page.getByRole("form", { name: "Request this change from Support" });
    await expect(move.getByRole("group", { name: "Move to" }).getByRole("radio")).toHaveCount(1);
    await move.getByRole("radio", { name: "Mill Valley Group" }).check();
    await move.getByLabel("Why you need it (Support reads this)").fill("HBLR's traffic now runs with MVRR");
    await expectAccessible(page, "request to move a carrier");
    await move.getByRole("button", { name: "Send request" }).click();
    await expect(
      page.getByRole("status").filter({ hasText: "Requested from Support: Move HBLR from Lakeshore Holdings to Mill Valley Group." }),
    ).toBeVisible();

    // then: approved, and shown live
    await approve(browser, "HBLR", "Move HBLR from Lakeshore Holdings to Mill Valley Group");
    await expect(page.getByRole("heading", { name: "HBLR belongs to Mill Valley Group" })).toBeVisible();
    await page.getByRole("tab", { name: "Requests" }).click();
    await expect(page.getByRole("listitem").filter({ hasText: "Move HBLR from Lakeshore Holdings to Mill Valley Group" })).toContainText("Approved");
  });

  test("with no organization in reach to choose, the request says why instead of offering an empty list", async ({ page, browser }) => {
    // an organization's administrator: theirs is the only organization they reach
    await signIn(page, ORGANIZATION_ADMIN);
    await openCarrier(page, "TPW", "Organization");
    const ask = page.getByRole("button", { name: /^Request this change\W+Move TPW to another organization$/ });
    await ask.click();
    const why = page.getByRole("region", { name: "No organization to choose" });
    await expect(why.getByRole("heading")).toBeFocused();
    await expect(why).toContainText("Great Lakes Short Line Group is the only organization within your reach");
    await expect(why).toContainText("contact Support");
    await expect(page.getByRole("button", { name: "Send request" })).toHaveCount(0);
    await expectAccessible(page, "request with no organization to choose");
    await why.getByRole("button", { name: "Close" }).click();
    await expect(ask).toBeFocused();

    // a carrier's administrator of a carrier in none (in a browser of their own): no organization at all
    const other = await (await browser.newContext()).newPage();
    await signIn(other, BPRR_ADMIN);
    await openCarrier(other, "BPRR", "Organization");
    await other.getByRole("button", { name: /^Request this change\W+Add to existing Organization$/ }).click();
    await expect(other.getByRole("region", { name: "No organization to choose" })).toContainText("No organization is within your reach");
    await other.context().close();
  });

  test("a carrier administrator requests a key that never expires; staff approve it; the key never expires and its secret works", async ({
    page,
    browser,
    request,
  }) => {
    await makeCarrier(request, SEACOAST);
    await signIn(page, adminOf(SEACOAST));
    await openCarrier(page, SEACOAST.code, "API keys");
    const form = await startKey(page, "SCRR locomotive telemetry");
    await grant(form, "CARRIER_READ");
    // only staff issue keys that never expire here: she may not choose it, but may ask for it
    await expect(form.getByRole("radio", { name: "Never expires" })).toBeDisabled();
    await form.getByRole("checkbox", { name: "Request a key that never expires" }).check();
    await form.getByLabel("Why it must never expire (Support reads this)").fill("The telemetry units cannot be updated in the field");
    await expectAccessible(page, "create key with a request that it never expire");
    const review = await reviewAndCreate(page, form);
    await expect(review).toHaveCount(0);

    // the secret is shown once, now, as for any key (approval changes the key, not its secret)
    const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
    await expect(dialog.getByRole("note")).toContainText(/^Requested from Support: Let the key SCRR locomotive telemetry \(.+\) never expire\./);
    const secret = await finishSecret(page);
    const key = await api(request, { secret });
    expect((await key("{ viewer { name } }")).data).toEqual({ viewer: { name: "SCRR locomotive telemetry" } });
    const row = page.getByRole("row", { name: /SCRR locomotive telemetry/ });
    await expect(row).not.toContainText("Never expires");

    // when: staff approve it
    await approve(browser, SEACOAST.code, /Let the key SCRR locomotive telemetry \(.+\) never expire/);

    // then: her list shows the key never expiring without a reload, and the same secret still works
    await expect(row).toContainText("Never expires");
    expect((await key("{ viewer { name } }")).data).toEqual({ viewer: { name: "SCRR locomotive telemetry" } });
    const staffApi = await api(request, { kind: "STAFF" });
    const listed = await staffApi<{ carrier: { apiKeys: { nodes: { expiresAt: string | null }[] } } }>(
      '{ carrier(code: "SCRR") { apiKeys(filter: { search: "SCRR locomotive telemetry" }) { nodes { expiresAt } } } }',
    );
    expect(listed.data.carrier.apiKeys.nodes).toEqual([{ expiresAt: null }]);
  });

  test("a request nobody answers expires: the requester sees it expired, and it leaves staff's open queue", async ({ page, browser, request }) => {
    test.skip(!DATABASE_URL && !process.env.CI, "run through tests/browser (it gives the servers' database)");
    const summary = "Set billing.demurrage to enabled for BYRR";
    await makeCarrier(request, BAYSIDE);
    await signIn(page, adminOf(BAYSIDE));
    await openCarrier(page, BAYSIDE.code, "Enablements");
    const row = page.getByRole("table", { name: "Features for BYRR" }).getByRole("row", { name: /Demurrage/ });
    await row.getByRole("button", { name: /^Request this change\W+Demurrage for BYRR$/ }).click();
    const form = page.getByRole("form", { name: "Request this change from Support" });
    await form.getByLabel("New setting").selectOption({ label: "On" });
    await form.getByLabel("Why you need it (Support reads this)").fill("Demurrage billing starts next month");
    await form.getByRole("button", { name: "Send request" }).click();
    await page.getByRole("tab", { name: "Requests" }).click();
    const mine = page.getByRole("listitem").filter({ hasText: summary });
    await expect(mine).toContainText("Waiting for Support");
    const staff = await staffQueue(browser, BAYSIDE.code);
    const queued = staff.getByRole("listitem").filter({ hasText: summary });
    await expect(queued).toBeVisible();

    // when: its time runs out (its expiry moved into the past, not waited for); the expiry job marks it
    expect(execute("update change_requests set expires_at = now() - interval '1 second' where state = 'open' and summary = $1", summary)).toBe(
      "UPDATE 1",
    );

    // then: both pages follow the job's event: expired for the requester, gone from the open queue
    await expect(mine).toContainText("Expired");
    await expect(mine.getByRole("button", { name: /^Withdraw / })).toHaveCount(0);
    await expect(queued).toHaveCount(0);
    await staff.context().close();
  });
});
