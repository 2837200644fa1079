import { describe, expect, it } from "vitest";
import { apiKey } from "../test/keys";
import { isExpiringSoon, nudgesFor } from "./nudges";

const ADVICE = { expiringSoonDays: 7, unusedAfterDays: 30 };

const DAY = 86_400_000;
const kinds = (key: Parameters<typeof nudgesFor>[0]) => nudgesFor(key, ADVICE).map((nudge) => nudge.kind);

describe("nudges", () => {
  it("say nothing about a key following the best practices", () => {
    expect(kinds(apiKey())).toEqual([]);
  });

  it("flag keys that never expire, expire within the policy's window, are unused or open to any address", () => {
    expect(kinds(apiKey({ expiresAt: null }))).toEqual(["neverExpires"]);
    expect(kinds(apiKey({ expiresAt: new Date(Date.now() + 3 * DAY).toISOString() }))).toEqual(["expiringSoon"]);
    expect(isExpiringSoon(apiKey({ expiresAt: new Date(Date.now() + 10 * DAY).toISOString() }), 7)).toBe(false);
    expect(isExpiringSoon(apiKey({ expiresAt: new Date(Date.now() + 10 * DAY).toISOString() }), 30)).toBe(true);
    expect(kinds(apiKey({ lastUsedAt: null }))).toEqual(["unused"]);
    expect(kinds(apiKey({ lastUsedAt: new Date(Date.now() - 45 * DAY).toISOString() }))).toEqual(["unused"]);
    expect(kinds(apiKey({ ipAllowlist: [] }))).toEqual(["anyAddress"]);
    // "unused" is the policy's number
    expect(nudgesFor(apiKey({ lastUsedAt: new Date(Date.now() - 45 * DAY).toISOString() }), { ...ADVICE, unusedAfterDays: 60 })).toEqual([]);
  });

  it("give a rotated key in its grace period no advice: it is on its way out", () => {
    expect(kinds(apiKey({ revokedAt: new Date(Date.now() + DAY).toISOString(), lastUsedAt: null, ipAllowlist: [] }))).toEqual([]);
  });

  it("flag a key refused since it last worked, even once it no longer works", () => {
    const refusal = {
      __typename: "ApiKeyRefusal" as const,
      reason: "ADDRESS_NOT_ALLOWED" as const,
      firstAt: new Date(Date.now() - 60_000).toISOString(),
      lastAt: new Date(Date.now() - 30_000).toISOString(),
      count: 4,
      clientAddress: "192.0.2.9",
      detail: null,
    };
    expect(nudgesFor(apiKey({ lastRefusal: refusal }), ADVICE)[0]?.text).toContain("from an address outside its allowlist");
    const revoked = nudgesFor(apiKey({ status: "REVOKED", lastRefusal: refusal }), ADVICE);
    expect(revoked.map((nudge) => nudge.kind)).toEqual(["refused"]);
    expect(revoked[0]?.text).toContain("Still being called after it stopped working");
    // refused before its latest successful use: nothing to say
    const earlier = { ...refusal, lastAt: new Date(Date.now() - 2 * 3_600_000).toISOString() };
    expect(kinds(apiKey({ lastRefusal: earlier }))).toEqual([]);
  });

  it("pass on how a key falls short of a policy set or tightened since, with what to do", () => {
    const gap = {
      __typename: "ApiKeyPolicyGap" as const,
      rule: "POLICY_ALLOWLIST_REQUIRED" as const,
      level: "ORGANIZATION" as const,
      message: "Works from any address; the organization's policy requires an IP allowlist.",
      remedy: "Edit the key to give the addresses or ranges it is used from.",
    };
    const nudges = nudgesFor(apiKey({ policyGaps: [gap] }), ADVICE);
    expect(nudges.map((nudge) => nudge.kind)).toEqual(["policy:POLICY_ALLOWLIST_REQUIRED"]);
    expect(nudges[0]?.text).toContain("Does not meet the key policy");
    expect(nudges[0]?.text).toContain("Edit the key");
  });
});
