// Mutations answer a payload or a typed error (`UserError { message code field }`). These helpers turn
// the error member into what a form shows: a message at its field, or for the whole form.

export interface UserErrorShape {
  __typename: string;
  message: string;
  code: string;
  field: string | null;
  currentVersion?: number | null;
  limit?: number;
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

export function isUserError(value: { __typename?: string } | null | undefined): value is UserErrorShape {
  return !!value && "code" in value && "message" in value && typeof (value as UserErrorShape).message === "string";
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
