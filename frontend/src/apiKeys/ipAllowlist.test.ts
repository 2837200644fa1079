import { describe, expect, it } from "vitest";
import { allowlistEntryProblem, isIPv4, isIPv6 } from "./ipAllowlist";

describe("allowlist entries", () => {
  it.each(["203.0.113.7", "0.0.0.0", "255.255.255.255", "10.0.0.0/8", "203.0.113.0/24", "192.0.2.1/32"])(
    "accepts the IPv4 address or range %s",
    (entry) => expect(allowlistEntryProblem(entry)).toBeNull(),
  );

  it.each(["2001:db8::1", "::1", "::", "2001:db8::/32", "fe80::/10", "::ffff:192.0.2.1", "2001:0db8:0000:0000:0000:0000:0000:0001"])(
    "accepts the IPv6 address or range %s",
    (entry) => expect(allowlistEntryProblem(entry)).toBeNull(),
  );

  it.each([
    ["", "Enter an address"],
    ["256.1.1.1", "Not an IPv4 or IPv6"],
    ["1.2.3", "Not an IPv4 or IPv6"],
    ["01.2.3.4", "Not an IPv4 or IPv6"],
    ["2001:db8:::1", "Not an IPv4 or IPv6"],
    ["1:2:3:4:5:6:7:8:9", "Not an IPv4 or IPv6"],
    ["example.com", "Not an IPv4 or IPv6"],
    ["10.0.0.0/33", "at most 32"],
    ["2001:db8::/129", "at most 128"],
    ["10.0.0.0/x", "prefix length is a number"],
    ["10.0.0.0/8/8", "one “/”"],
    ["fe80::1%eth0", "interface zone"],
  ])("refuses %s", (entry, problem) => {
    expect(allowlistEntryProblem(entry)).toContain(problem);
  });

  it("suggests the network when host bits are set, as the server does", () => {
    expect(allowlistEntryProblem("203.0.113.7/24")).toContain("did you mean 203.0.113.0/24?");
    expect(allowlistEntryProblem("2001:db8::1/32")).toContain("did you mean 2001:db8::/32?");
  });

  it("tells the two families apart", () => {
    expect(isIPv4("192.0.2.1")).toBe(true);
    expect(isIPv6("192.0.2.1")).toBe(false);
    expect(isIPv6("2001:db8::1")).toBe(true);
    expect(isIPv4("2001:db8::1")).toBe(false);
  });
});
