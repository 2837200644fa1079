// What the API says the caller may do (viewer.permissions for every operation, Carrier.permissions for
// one carrier, given its state). The page never guesses: a control is enabled only when its operation
// is listed as allowed, and otherwise says the API's reason.
import type { PermissionFieldsFragment } from "../gql/graphql";

export type Permission = Pick<PermissionFieldsFragment, "allowed" | "reason">;

/** An operation the API did not list: refuse it rather than send a request nobody vouched for. */
const UNLISTED: Permission = { allowed: false, reason: "The server did not say you may do this." };

export function permissionOf(list: readonly PermissionFieldsFragment[] | null | undefined, operation: string): Permission {
  const found = list?.find((permission) => permission.operation === operation);
  return found ? { allowed: found.allowed, reason: found.reason } : UNLISTED;
}

/** For one carrier: its own list decides where it names the operation, else the viewer's. */
export function carrierPermission(
  carrierList: readonly PermissionFieldsFragment[] | null | undefined,
  viewerList: readonly PermissionFieldsFragment[],
  operation: string,
): Permission {
  const own = carrierList?.find((permission) => permission.operation === operation);
  return own ? { allowed: own.allowed, reason: own.reason } : permissionOf(viewerList, operation);
}
