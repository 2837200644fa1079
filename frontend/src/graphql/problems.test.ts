import { GraphQLError } from "graphql";
import { CombinedError } from "urql";
import { describe, expect, it } from "vitest";
import { describeRequestError, isUnauthenticated } from "./problems";

const response = (status: number, headers: Record<string, string> = {}) => new Response("{}", { status, headers });

describe("request problems", () => {
  it("rate limiting says when to retry, from the error or the header", () => {
    const fromExtension = new CombinedError({
      graphQLErrors: [new GraphQLError("slow down", { extensions: { code: "RATE_LIMITED", retryAfter: 12 } })],
      response: response(429),
    });
    expect(describeRequestError(fromExtension)).toMatchObject({ kind: "rateLimited", retryAfterSeconds: 12 });
    const fromHeader = new CombinedError({ networkError: new Error("429"), response: response(429, { "Retry-After": "7" }) });
    expect(describeRequestError(fromHeader)).toMatchObject({ kind: "rateLimited", retryAfterSeconds: 7 });
  });

  it("a failed fetch is a network problem that keeps the form", () => {
    const problem = describeRequestError(new CombinedError({ networkError: new TypeError("Failed to fetch") }));
    expect(problem.kind).toBe("network");
    expect(problem.message).toContain("nothing you typed has been lost");
  });

  it("an expired token ends the session", () => {
    const error = new CombinedError({ graphQLErrors: [new GraphQLError("expired", { extensions: { code: "UNAUTHENTICATED" } })] });
    expect(isUnauthenticated(error)).toBe(true);
    expect(describeRequestError(error).kind).toBe("unauthenticated");
    expect(isUnauthenticated(new CombinedError({ networkError: new Error("401"), response: response(401) }))).toBe(true);
  });

  it("a server failure says so", () => {
    const problem = describeRequestError(new CombinedError({ networkError: new Error("bad gateway"), response: response(502) }));
    expect(problem).toMatchObject({ kind: "server" });
    expect(problem.message).toContain("HTTP 502");
  });
});
