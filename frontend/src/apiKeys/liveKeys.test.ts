import { describe, expect, it } from "vitest";
import type { ApiKeyFieldsFragment } from "../gql/graphql";
import { remembered, withLatest } from "./liveKeys";

const key = (id: string, version: number, status: ApiKeyFieldsFragment["status"]) => ({ id, version, status }) as ApiKeyFieldsFragment;

describe("keys shown as the live changes told them", () => {
  it("shows a key as its event told it, on any page, and leaves the others", () => {
    const latest = remembered(new Map(), key("b", 2, "REVOKED"));
    expect(withLatest([key("a", 1, "ACTIVE"), key("b", 1, "ACTIVE")], latest).map((k) => k.status)).toEqual(["ACTIVE", "REVOKED"]);
  });

  it("lets a newer listed copy win, and an expiry (same version) told by the event win", () => {
    const latest = remembered(new Map(), key("b", 2, "EXPIRED"));
    expect(withLatest([key("b", 3, "ACTIVE")], latest)[0]?.status).toBe("ACTIVE");
    expect(withLatest([key("b", 2, "ACTIVE")], latest)[0]?.status).toBe("EXPIRED");
  });

  it("does not forget a newer event for an older one that arrives late", () => {
    const latest = remembered(remembered(new Map(), key("b", 3, "REVOKED")), key("b", 2, "ACTIVE"));
    expect(latest.get("b")?.status).toBe("REVOKED");
  });

  it("tells a replacement that the key it replaced has stopped, whichever copy of the replacement is shown", () => {
    const graceEnd = "2026-12-06T20:00:00.000Z";
    const stoppedAt = "2026-12-05T20:00:00.000Z";
    const named = { __typename: "ApiKey" as const, id: "old", hint: "cak_test_…Old1", status: "ACTIVE" as const, revokedAt: graceEnd };
    const replacement = { ...key("new", 1, "ACTIVE"), rotatedFrom: named } as ApiKeyFieldsFragment;
    // the replacement as the rotation's event told it, then the old key's grace period ended early
    let latest = remembered(new Map(), replacement);
    latest = remembered(latest, { ...key("old", 2, "REVOKED"), revokedAt: stoppedAt } as ApiKeyFieldsFragment);
    expect(withLatest([replacement], latest)[0]?.rotatedFrom).toMatchObject({ status: "REVOKED", revokedAt: stoppedAt });
    // an older copy of the old key does not bring its grace period back
    const fresh = { ...replacement, rotatedFrom: { ...named, status: "REVOKED" as const, revokedAt: stoppedAt } };
    latest = remembered(new Map(), { ...key("old", 1, "ACTIVE"), revokedAt: graceEnd } as ApiKeyFieldsFragment);
    expect(withLatest([fresh], latest)[0]?.rotatedFrom).toMatchObject({ status: "REVOKED", revokedAt: stoppedAt });
  });
});
