import type { KeyPolicy } from "../apiKeys/policy";

/** The demo server's key policy, as apiKeyPolicy answers it. */
export const POLICY: KeyPolicy = {
  __typename: "ApiKeyPolicy",
  defaultLifetimeDays: 90,
  maxLifetimeDays: 365,
  nonExpiringAllowed: false,
  nonExpiringAllowedFor: [],
  maxAllowlistEntries: 50,
  maxActiveKeysPerCarrier: 25,
  maxGracePeriodSeconds: 604_800,
  gracePeriodChoicesSeconds: [0, 3600, 86_400, 604_800],
  lifetimeChoicesDays: [7, 30, 60, 90],
  expiringSoonDays: 7,
  unusedAfterDays: 30,
  maxActiveServiceKeys: 25,
  serviceKeyScopes: ["CARRIER_READ", "ENABLEMENTS_READ"],
  maxDescriptionLength: 200,
  scopes: [
    { __typename: "ApiKeyScopeDescription", scope: "CARRIER_READ", description: "Read the key's carrier and its organization.", includes: [], resource: "Carrier and organization", access: "READ" },
    { __typename: "ApiKeyScopeDescription", scope: "ENABLEMENTS_READ", description: "Read feature enablements and the feature catalogue.", includes: [], resource: "Feature enablements", access: "READ" },
    { __typename: "ApiKeyScopeDescription", scope: "KEYS_READ", description: "Read the carrier's API keys (never their secrets).", includes: [], resource: "API keys", access: "READ" },
    {
      __typename: "ApiKeyScopeDescription",
      scope: "KEYS_WRITE",
      description: "Issue, change, rotate and revoke the carrier's API keys; includes KEYS_READ.",
      includes: ["KEYS_READ"],
      resource: "API keys",
      access: "WRITE",
    },
    { __typename: "ApiKeyScopeDescription", scope: "ACTIVITY_READ", description: "Read the carrier's activity log.", includes: [], resource: "Activity log", access: "READ" },
  ],
};
