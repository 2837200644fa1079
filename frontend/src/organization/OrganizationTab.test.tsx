import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { POLICY } from "../test/policy";
import { ADMIN, connectionPage, fakeClient, permission, renderWith } from "../test/render";
import { OrganizationTab } from "./OrganizationTab";

const MEMBERS = ["GLSR", "WSOR", "TPW", "IORY", "CFE"].map((code) => ({ __typename: "Carrier", id: `c-${code}`, code, name: `${code} Railroad` }));
const LOWERED = { defaultPageSize: 2, maxPageSize: 2 };
// No level tightens the platform's key policy here: the tab shows it, the test reads the carriers.
const OWN_POLICY = {
  __typename: "KeyPolicySettings",
  maxLifetimeDays: null,
  allowlistRequired: null,
  allowedScopes: null,
  maxGracePeriodSeconds: null,
  nonExpiringAllowed: null,
  version: 0,
  updatedAt: null,
  updatedBy: null,
};

/** The organization's carriers `first` at a time after the cursor (an index). */
function page(first: number, after: string | null) {
  return connectionPage("CarrierConnection", MEMBERS, first, after);
}

describe("OrganizationTab under a lowered page size limit", () => {
  it("asks for pages within the limit and lists every carrier", async () => {
    const client = fakeClient((operation, variables) => {
      if (operation === "OrganizationTab") {
        return {
          apiKeyPolicy: POLICY,
          carrier: {
            __typename: "Carrier",
            id: "c-WSOR",
            code: "WSOR",
            name: "WSOR Railroad",
            version: 1,
            permissions: [permission("renameOrganization", false)],
            apiKeyPolicy: POLICY,
            ownKeyPolicy: OWN_POLICY,
            organization: {
              __typename: "Organization",
              id: "o1",
              name: "Great Lakes Short Line Group",
              version: 1,
              createdAt: "2026-01-01T00:00:00Z",
              ownKeyPolicy: OWN_POLICY,
              apiKeyPolicy: POLICY,
              carriers: page(variables.carriersFirst as number, null),
            },
          },
        };
      }
      if (operation === "OrganizationCarriers") {
        return { organization: { __typename: "Organization", id: "o1", carriers: page(variables.first as number, variables.after as string) } };
      }
      return undefined;
    });
    renderWith(<OrganizationTab code="WSOR" />, client, ADMIN, LOWERED);

    const table = await screen.findByRole("table", { name: "Carriers in Great Lakes Short Line Group (5)" });
    for (const member of MEMBERS) expect(await within(table).findByRole("cell", { name: member.code })).toBeTruthy();
    expect(client.sent.map(({ name, variables }) => [name, variables.carriersFirst ?? variables.first, variables.after ?? null])).toEqual([
      ["OrganizationTab", 2, null],
      ["OrganizationCarriers", 2, "2"],
      ["OrganizationCarriers", 2, "4"],
    ]);
  });
});
