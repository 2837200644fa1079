// Mutations answer a payload or a typed error (`...UserErrorFields`: message, code, field). These helpers
// turn the error member into what a form shows: a message at its field, or for the whole form. The fragment
// is masked: this module is the one that reads its fields, through getFragmentData.
import { type FragmentType, getFragmentData } from "../gql";
import { type ErrorCode, type UserErrorFieldsFragment, UserErrorFieldsFragmentDoc } from "../gql/graphql";

export interface UserErrorShape {
  __typename: string;
  message: string;
  code: ErrorCode;
  field: string | null;
  /** A ConflictError's (asked for beside the fragment). */
  currentVersion?: number | null;
}

// Every type that implements UserError (the fragment's types: a new one in the schema fails the type check
// here until it is listed), told apart by __typename rather than by peeking at masked fields.
const USER_ERROR_TYPES: Record<UserErrorFieldsFragment["__typename"], true> = {
  AlreadyInOrganizationError: true,
  ChangeNoLongerAppliesError: true,
  ConflictError: true,
  ForbiddenError: true,
  LimitReachedError: true,
  NotFoundError: true,
  OrganizationNotEmptyError: true,
  ValidationError: true,
};

type Member = { __typename?: string; currentVersion?: number | null } | null | undefined;

/** The member's typed error (its UserErrorFields, read), or null when it is not one (a payload). */
export function userErrorOf(member: Member): UserErrorShape | null {
  if (!member?.__typename || !Object.hasOwn(USER_ERROR_TYPES, member.__typename)) return null;
  // Any mutation's member comes here (its type is the caller's): its __typename says it is a UserError,
  // and every mutation spreads UserErrorFields on those, so it holds the fragment's (masked) ref.
  const error = getFragmentData(UserErrorFieldsFragmentDoc, member as FragmentType<typeof UserErrorFieldsFragmentDoc>);
  return { __typename: error.__typename, message: error.message, code: error.code, field: error.field, currentVersion: member.currentVersion };
}

export interface FormProblem {
  /** Messages keyed by the input field they concern (`description`, `ipAllowlist[2]`, `expiresAt`). */
  fields: Record<string, string>;
  /** A message about no field in particular. */
  general: string | null;
  /** Someone else changed the object: offer to reload. */
  conflict: boolean;
  typename: string;
}

export function toFormProblem(error: UserErrorShape, knownFields: readonly string[] = []): FormProblem {
  const conflict = error.__typename === "ConflictError" && error.currentVersion != null;
  const field = error.field;
  const atField = field && (knownFields.length === 0 || knownFields.some((known) => field.startsWith(known)));
  return {
    fields: atField ? { [field]: error.message } : {},
    general: atField ? null : error.message,
    conflict,
    typename: error.__typename,
  };
}
