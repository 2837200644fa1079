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
});
