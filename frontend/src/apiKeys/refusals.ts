import type { ApiKeyRefusalReason } from "../gql/graphql";

/** Why the API refused a use of a key, in the words a key's owner acts on. */
export const REFUSAL_LABELS: Record<ApiKeyRefusalReason, string> = {
  REVOKED: "the key is revoked",
  EXPIRED: "the key has expired",
  ADDRESS_NOT_ALLOWED: "from an address outside its allowlist",
  MISSING_SCOPE: "for something its scopes do not cover",
  API_ACCESS_DISABLED: "while the carrier’s API access was off",
};
