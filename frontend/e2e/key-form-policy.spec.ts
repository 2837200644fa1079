// The create-key form where the key policy's levels together leave no permission: it says so, and which
// level, rather than listing every permission disabled. On a carrier and organization of its own (every
// demo carrier is some other spec's).
import { api, expect, expectAccessible, openCarrier, signIn, test } from "./support";

const QUARRY = { code: "QYRR", name: "Quarry Railroad", organization: "Quarry Holdings" };

test("a carrier administrator is told that the key policy allows no permission, and by which level", async ({ page, request }) => {
  // given: staff narrow the carrier to KEYS_READ, then its organization to CARRIER_READ (each level is
  // judged against the levels above it, so both are accepted, and nothing is left in common)
  const staff = await api(request, { kind: "STAFF" });
  const carrier = await staff<{ createCarrier: { carrier: { id: string } } }>(
    "mutation ($input: CreateCarrierInput!) { createCarrier(input: $input) { ... on CarrierPayload { carrier { id } } } }",
    { input: { code: QUARRY.code, name: QUARRY.name } },
  );
  const carrierId = carrier.data.createCarrier.carrier.id;
  const organization = await staff<{ createOrganization: { organization: { id: string } } }>(
    "mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { ... on OrganizationPayload { organization { id } } } }",
    { input: { name: QUARRY.organization, carrierIds: [carrierId] } },
  );
  const own = await staff<{ setCarrierKeyPolicy: { __typename: string } }>(
    "mutation ($input: SetCarrierKeyPolicyInput!) { setCarrierKeyPolicy(input: $input) { __typename } }",
    { input: { carrierId, allowedScopes: ["KEYS_READ"] } },
  );
  expect(own.data.setCarrierKeyPolicy.__typename).toBe("CarrierKeyPolicyPayload");
  const above = await staff<{ setOrganizationKeyPolicy: { __typename: string } }>(
    "mutation ($input: SetOrganizationKeyPolicyInput!) { setOrganizationKeyPolicy(input: $input) { __typename } }",
    { input: { organizationId: organization.data.createOrganization.organization.id, allowedScopes: ["CARRIER_READ"] } },
  );
  expect(above.data.setOrganizationKeyPolicy.__typename).toBe("OrganizationKeyPolicyPayload");

  // when: the carrier's administrator opens the create-key form
  await signIn(page, `Administrator of ${QUARRY.code} (${QUARRY.name})`);
  await openCarrier(page, QUARRY.code, "API keys");
  await page.getByRole("button", { name: "Create an API key" }).click();
  const form = page.getByRole("form", { name: "Create an API key" });

  // then: the form says why no key can be made, names the level, and who can change it
  await expect(form.getByRole("note")).toHaveText(
    `The key policy allows no permissions at all (set by this carrier’s own policy (staff)), so no key can be created for ${QUARRY.code} until it allows one. Staff set this carrier’s own policy: contact Support.`,
  );
  await form.getByRole("textbox", { name: "Description" }).fill("Scale house feed");
  const review = form.getByRole("button", { name: "Review the key" });
  await expect(review).toHaveAttribute("aria-disabled", "true");
  await expect(review).toHaveAccessibleDescription(/the key policy allows no permissions, so no key can be created/);
  await expectAccessible(page, "create-key form under a policy that allows no permission");
});
