// The key policy in levels (issue 26): an organization's administrators set their organization's, staff
// tighten one carrier's, carrier administrators read them; the key forms offer only what the policy
// allows and name the level that set each limit; a key issued before is nudged with what to do.
// Prairie Regional Holdings (DMVW, RCPE) is this spec's own: no other spec issues keys there.
import type { APIRequestContext } from "@playwright/test";
import { api, carrierIdOf, everyScreen, expect, expectAccessible, openCarrier, signIn, STAFF, test } from "./support";

const PRAIRIE_ADMIN = "Administrator of the organization Prairie Regional Holdings";
const DMVW_ADMIN = "Administrator of DMVW (Dakota, Missouri Valley & Western Railroad)";
const OLD_KEY = `DMVW yard feed ${Date.now()}`;

test.describe.configure({ mode: "serial" });

async function prairieId(request: APIRequestContext): Promise<string> {
  const staff = await api(request, { kind: "STAFF" });
  const answer = await staff<{ carrier: { organization: { id: string } } }>('{ carrier(code: "DMVW") { organization { id } } }');
  return answer.data.carrier.organization.id;
}

/** Back to the platform's policy alone, for Prairie and its carriers (each test starts from there). */
async function resetPolicies(request: APIRequestContext): Promise<void> {
  const staff = await api(request, { kind: "STAFF" });
  const organizationId = await prairieId(request);
  const answer = await staff("mutation ($input: SetOrganizationKeyPolicyInput!) { setOrganizationKeyPolicy(input: $input) { __typename } }", {
    input: { organizationId },
  });
  expect(answer.errors).toBeUndefined();
  for (const code of ["DMVW", "RCPE"]) {
    const carrierId = await carrierIdOf(request, code);
    const reset = await staff("mutation ($input: SetCarrierKeyPolicyInput!) { setCarrierKeyPolicy(input: $input) { __typename } }", {
      input: { carrierId },
    });
    expect(reset.errors).toBeUndefined();
  }
}

test.describe("the key policy", () => {
  test.beforeAll(async ({ request }) => {
    await resetPolicies(request);
  });
  test.afterAll(async ({ request }) => {
    await resetPolicies(request);
  });

  test("an organization administrator sets the organization's key policy: refused looser, old keys nudged, forms limited", async ({ page, request }) => {
    // a key issued before any policy: it may read the activity log and works from any address
    const staff = await api(request, { kind: "STAFF" });
    const issued = await staff<{ createApiKey: { __typename: string } }>(
      "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }",
      { input: { carrierId: await carrierIdOf(request, "DMVW"), description: OLD_KEY, scopes: ["CARRIER_READ", "ACTIVITY_READ"] } },
    );
    expect(issued.data.createApiKey.__typename).toBe("CreateApiKeyPayload");

    await signIn(page, PRAIRIE_ADMIN);
    await openCarrier(page, "DMVW", "Organization");
    const policy = page.getByRole("table", { name: "Key policy DMVW’s keys follow" });
    await expect(policy.getByRole("row", { name: /Longest key lifetime/ })).toContainText("365 days");
    await expect(policy.getByRole("row", { name: /Longest key lifetime/ })).toContainText("the platform");

    await page.getByRole("button", { name: "Edit Prairie Regional Holdings’s key policy" }).click();
    const form = page.getByRole("form", { name: "Edit Prairie Regional Holdings’s key policy" });
    const lifetime = form.getByLabel("Longest key lifetime, in days");
    await expect(lifetime).toBeFocused();
    await expect(lifetime).toHaveAccessibleDescription(/Empty: 365 days \(set by the platform\)/);
    // looser than the platform: refused at the field, naming the level that set the stricter value
    await lifetime.fill("400");
    await form.getByRole("button", { name: "Save key policy" }).click();
    await expect(lifetime).toHaveAttribute("aria-invalid", "true");
    await expect(lifetime).toHaveAccessibleDescription(/the platform's policy sets a stricter value/);
    // tighter: taken
    await lifetime.fill("60");
    await form.getByLabel("IP allowlist").selectOption({ label: "Required for every key" });
    await form.getByRole("checkbox", { name: "Limit the scopes at this level" }).check();
    for (const scope of ["CARRIER_READ", "ENABLEMENTS_READ", "KEYS_READ", "KEYS_WRITE"]) {
      await form.getByRole("checkbox", { name: new RegExp(`^${scope}`) }).check();
    }
    await form.getByLabel("Reason (optional, for the activity log)").fill("Audit: keys of Prairie carriers");
    await expectAccessible(page, "the organization's key policy form");
    await form.getByRole("button", { name: "Save key policy" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved Prairie Regional Holdings’s key policy" })).toBeVisible();
    await expect(policy.getByRole("row", { name: /Longest key lifetime/ })).toContainText("60 days");
    await expect(policy.getByRole("row", { name: /Longest key lifetime/ })).toContainText("the organization’s policy");
    await expect(policy.getByRole("row", { name: /IP allowlist/ })).toContainText("Required");
    await expectAccessible(page, "the Organization tab with a key policy");
    await everyScreen(page, "organization-key-policy");

    // the key issued before keeps working and is nudged, with what to do
    await page.getByRole("tab", { name: "API keys" }).click();
    const advice = page.getByRole("list", { name: `Advice for ${OLD_KEY}` });
    await expect(advice).toContainText("Does not meet the key policy: Holds ACTIVITY_READ, which the organization's policy does not allow.");
    await expect(advice).toContainText("Edit the key to give the addresses or ranges it is used from.");

    // a new key's form offers only what the policy allows, and says who set each limit
    await page.getByRole("button", { name: "Create an API key" }).click();
    const create = page.getByRole("form", { name: "Create an API key" });
    const expiration = create.getByRole("group", { name: "Expiration" });
    await expect(expiration).toHaveAccessibleDescription(/at most 60 days from now \(set by the organization’s policy/);
    await expect(expiration.getByRole("radio", { name: /^90 days/ })).toHaveCount(0);
    await expect(expiration.getByRole("radio", { name: /^60 days, until .* \(the policy’s default\)$/ })).toBeChecked();
    const activity = create.getByRole("group", { name: "Activity log" });
    await expect(activity.getByRole("radio", { name: /^Read ACTIVITY_READ/ })).toBeDisabled();
    await expect(activity).toContainText("not allowed: set by the organization’s policy");
    await expect(create.getByRole("group", { name: "IP allowlist" })).toContainText("An IP allowlist is required (set by the organization’s policy).");
    await expectAccessible(page, "a key form limited by the organization's policy");
  });

  test("a carrier administrator reads the policy, cannot change it, and sees a change made elsewhere live", async ({ page, request, operations }) => {
    const organizationId = await prairieId(request);
    const orgAdmin = await api(request, { kind: "ORGANIZATION_ADMIN", organizationId });
    const set = await orgAdmin<{ setOrganizationKeyPolicy: { __typename: string } }>(
      "mutation ($input: SetOrganizationKeyPolicyInput!) { setOrganizationKeyPolicy(input: $input) { __typename } }",
      { input: { organizationId, maxLifetimeDays: 60 } },
    );
    expect(set.data.setOrganizationKeyPolicy.__typename).toBe("OrganizationKeyPolicyPayload");

    await signIn(page, DMVW_ADMIN);
    await openCarrier(page, "DMVW", "Organization");
    const policy = page.getByRole("table", { name: "Key policy DMVW’s keys follow" });
    await expect(policy.getByRole("row", { name: /Longest key lifetime/ })).toContainText("60 days");
    const edit = page.getByRole("button", { name: "Edit Prairie Regional Holdings’s key policy" });
    await expect(edit).toBeDisabled();
    await expect(edit).toHaveAccessibleDescription(/administrators \(and staff\) set its key policy/);
    const tighten = page.getByRole("button", { name: "Tighten DMVW’s key policy" });
    await expect(tighten).toBeDisabled();
    await expect(tighten).toHaveAccessibleDescription(/restricted function for platform staff/);
    await expectAccessible(page, "the key policy as a carrier administrator reads it");

    // the organization's administrator changes it elsewhere: the open tab follows
    const changed = await orgAdmin(
      "mutation ($input: SetOrganizationKeyPolicyInput!) { setOrganizationKeyPolicy(input: $input) { __typename } }",
      { input: { organizationId, maxLifetimeDays: 60, maxGracePeriodSeconds: 86_400 } },
    );
    expect(changed.errors).toBeUndefined();
    const grace = policy.getByRole("row", { name: /Longest grace period/ });
    await expect(grace).toContainText("1 day");
    await expect(grace).toContainText("the organization’s policy");

    // the rotation dialog offers the grace periods the policy allows, and names who set the limit
    await page.getByRole("tab", { name: "API keys" }).click();
    await page.getByRole("row", { name: new RegExp(OLD_KEY) }).getByRole("button", { name: `Rotate ${OLD_KEY}` }).click();
    const dialog = page.getByRole("dialog", { name: `Rotate “${OLD_KEY}”` });
    const choices = dialog.getByRole("group", { name: "When should the old key stop working?" });
    await expect(choices).toHaveAccessibleDescription(/At most 1 day \(set by the organization’s policy\)/);
    await expect(choices.getByRole("radio", { name: "Keep it working for 1 week" })).toHaveCount(0);
    await expectAccessible(page, "a rotation limited by the organization's policy");
    // what the API would refuse is never sent
    expect(operations.filter((name) => ["SetOrganizationKeyPolicy", "SetCarrierKeyPolicy"].includes(name))).toEqual([]);
  });

  test("staff tighten one carrier beyond its organization, and nothing looser is taken", async ({ page, request }) => {
    const organizationId = await prairieId(request);
    const staff = await api(request, { kind: "STAFF" });
    await staff("mutation ($input: SetOrganizationKeyPolicyInput!) { setOrganizationKeyPolicy(input: $input) { __typename } }", {
      input: { organizationId, maxLifetimeDays: 60 },
    });
    await signIn(page, STAFF);
    await openCarrier(page, "RCPE", "Organization");
    await page.getByRole("button", { name: "Tighten RCPE’s key policy" }).click();
    const form = page.getByRole("form", { name: "Edit RCPE’s own key policy" });
    const lifetime = form.getByLabel("Longest key lifetime, in days");
    await expect(lifetime).toHaveAccessibleDescription(/Empty: 60 days \(set by the organization’s policy\)/);
    await lifetime.fill("90");
    await form.getByRole("button", { name: "Save key policy" }).click();
    await expect(lifetime).toHaveAccessibleDescription(/the organization's policy sets a stricter value/);
    await lifetime.fill("14");
    await expectAccessible(page, "a carrier's own key policy form");
    await form.getByRole("button", { name: "Save key policy" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved RCPE’s own key policy." })).toBeVisible();
    const row = page.getByRole("table", { name: "Key policy RCPE’s keys follow" }).getByRole("row", { name: /Longest key lifetime/ });
    await expect(row).toContainText("14 days");
    await expect(row).toContainText("this carrier’s own policy (staff)");

    await page.getByRole("tab", { name: "API keys" }).click();
    await page.getByRole("button", { name: "Create an API key" }).click();
    await expect(page.getByRole("group", { name: "Expiration" }).first()).toHaveAccessibleDescription(
      /at most 14 days from now \(set by this carrier’s own policy \(staff\)/,
    );
  });
});
