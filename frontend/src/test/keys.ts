import type { ApiKeyFieldsFragment } from "../gql/graphql";

/** An active key as the API lists it, with the fields a test does not care about filled in. */
export function apiKey(overrides: Partial<ApiKeyFieldsFragment> = {}): ApiKeyFieldsFragment {
  return {
    __typename: "ApiKey",
    id: "k1",
    kind: "CARRIER",
    description: "Production ERP integration",
    hint: "cak_test_…Ab12",
    environment: "test",
    scopes: ["CARRIER_READ"],
    ipAllowlist: ["203.0.113.0/24"],
    expiresAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
    status: "ACTIVE",
    createdAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    createdBy: { __typename: "Actor", kind: "ADMIN", name: "WSOR administrator" },
    revokedAt: null,
    revocationReason: null,
    lastUsedAt: new Date(Date.now() - 3_600_000).toISOString(),
    lastUsedAddress: "198.51.100.7",
    lastRefusal: null,
    rotatedFrom: null,
    version: 1,
    policyGaps: [],
    ...overrides,
  };
}
