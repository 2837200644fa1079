// What the API says the caller may do (viewer.permissions for every operation, Carrier.permissions for
// one carrier, given its state). The page never guesses: a control is enabled only when its operation
// is listed as allowed, and otherwise says the API's reason.
// Queries spread PermissionFields (masked): only this module reads its fields.
import { type FragmentType, getFragmentData } from "../gql";
import { PermissionFieldsFragmentDoc, type PermissionFieldsFragment } from "../gql/graphql";

export type Permission = Pick<PermissionFieldsFragment, "allowed" | "reason">;

/** A list of permissions as a query answers it (`permissions { ...PermissionFields }`). */
export type PermissionList = readonly FragmentType<typeof PermissionFieldsFragmentDoc>[];

/** An operation the API did not list: refuse it rather than send a request nobody vouched for. */
const UNLISTED: Permission = { allowed: false, reason: "The server did not say you may do this." };

export function permissionOf(list: PermissionList | null | undefined, operation: string): Permission {
  const found = getFragmentData(PermissionFieldsFragmentDoc, list)?.find((permission) => permission.operation === operation);
  return found ? { allowed: found.allowed, reason: found.reason } : UNLISTED;
}

/** For one carrier: its own list decides where it names the operation, else the viewer's. */
export function carrierPermission(
  carrierList: PermissionList | null | undefined,
  viewerList: PermissionList,
  operation: string,
): Permission {
  const own = getFragmentData(PermissionFieldsFragmentDoc, carrierList)?.find((permission) => permission.operation === operation);
  return own ? { allowed: own.allowed, reason: own.reason } : permissionOf(viewerList, operation);
}
