import { describe, expect, it } from "vitest";
import { toFormProblem, userErrorOf } from "./userErrors";

describe("userErrorOf", () => {
  it("reads a typed error's UserErrorFields, and nothing from a payload", () => {
    const error = { __typename: "ValidationError", message: "Entry 1 is not an IP address", code: "BAD_USER_INPUT", field: "ipAllowlist[0]" };
    expect(userErrorOf(error)).toEqual({ ...error, currentVersion: undefined });
    expect(userErrorOf({ __typename: "ApiKeyPayload" })).toBeNull();
    expect(userErrorOf(null)).toBeNull();
  });

  it("keeps a conflict's current version, for the form to offer a reload", () => {
    const conflict = { __typename: "ConflictError", message: "Changed meanwhile.", code: "CONFLICT", field: null, currentVersion: 3 };
    const error = userErrorOf(conflict);
    expect(error && toFormProblem(error)).toMatchObject({ conflict: true, general: "Changed meanwhile.", fields: {} });
  });
});
