import type { KeyPolicyLevel } from "../gql/graphql";
import { type KeyPolicy, setBy } from "./policy";

// Who can allow a permission again, by the level of the key policy that left none.
const WHO_CAN_CHANGE: Record<KeyPolicyLevel, string> = {
  PLATFORM: "The platform’s policy is this deployment’s settings: contact Support.",
  ORGANIZATION: "The organization’s administrators (or staff) can allow permissions in its key policy, on the Organization tab.",
  CARRIER: "Staff set this carrier’s own policy: contact Support.",
};

/**
 * The key policy's levels together allow no permission at all (each level allows some, but a level
 * tightened later may leave none in common with another): say so and who set it, rather than show
 * a list of permissions that are all disabled.
 */
export function NoScopeAllowed({ policy, code }: { policy: Pick<KeyPolicy, "allowedScopesSource">; code: string }) {
  return (
    <div role="note" className="notice notice-warning">
      <p>
        The key policy allows no permissions at all ({setBy(policy.allowedScopesSource)}), so no key can be created for {code}{" "}
        until it allows one. {WHO_CAN_CHANGE[policy.allowedScopesSource]}
      </p>
    </div>
  );
}
