import { CombinedError } from "urql";
import { GraphQLError } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { refusedPageSize, rememberedLimits, rememberLimits } from "./remembered";

describe("the remembered page limits", () => {
  afterEach(() => localStorage.clear());

  it("are what the server last published, until forgotten", () => {
    expect(rememberedLimits()).toBeNull();
    rememberLimits({ defaultPageSize: 2, maxPageSize: 2 });
    expect(rememberedLimits()).toEqual({ defaultPageSize: 2, maxPageSize: 2 });
    rememberLimits(null);
    expect(rememberedLimits()).toBeNull();
  });

  it("are none when the stored value is not limits", () => {
    localStorage.setItem("carrier-admin:page-limits", '{"maxPageSize": "lots"}');
    expect(rememberedLimits()).toBeNull();
    localStorage.setItem("carrier-admin:page-limits", "not json");
    expect(rememberedLimits()).toBeNull();
  });

  it("are stale when the server refuses a page size, not for other refusals", () => {
    const refusal = (extensions: Record<string, unknown>) => new CombinedError({ graphQLErrors: [new GraphQLError("refused", { extensions })] });
    expect(refusedPageSize(refusal({ code: "BAD_USER_INPUT", argument: "first", limit: 2 }))).toBe(true);
    expect(refusedPageSize(refusal({ code: "BAD_USER_INPUT", argument: "after" }))).toBe(false);
    expect(refusedPageSize(refusal({ code: "RATE_LIMITED" }))).toBe(false);
    expect(refusedPageSize(undefined)).toBe(false);
  });
});
