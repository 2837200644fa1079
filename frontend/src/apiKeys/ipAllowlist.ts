// IP allowlist entries as the API accepts them: an IPv4 or IPv6 address, or a CIDR range of either,
// without host bits set after the prefix. Checked as the user types; the server checks again and
// answers `ipAllowlist[i]` for a bad entry.

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The address as a number, or null if it is not a dotted-quad IPv4 address. */
export function parseIPv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => IPV4_PART.test(part))) return null;
  return parts.reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

/** The address as a number, or null if it is not an IPv6 address (an IPv4 tail is allowed). */
export function parseIPv6(text: string): bigint | null {
  if (!text.includes(":")) return null;
  let address = text;
  let tailValue: bigint | null = null;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    tailValue = parseIPv4(tail);
    if (tailValue === null) return null;
    address = address.slice(0, lastColon + 1) + "0:0";
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0] ?? "");
  const rest = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (![...head, ...rest].every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(missing).fill("0"), ...rest];
  let value = all.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n);
  if (tailValue !== null) value = (value & ~0xffffffffn) | tailValue;
  return value;
}

export const isIPv4 = (text: string) => parseIPv4(text) !== null;
export const isIPv6 = (text: string) => parseIPv6(text) !== null;

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

function formatIPv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - index * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as Python's ipaddress does.
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === "0") length++;
    if (length > best.length && length > 1) best = { start, length };
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
}

/** Null when the entry is valid, else what is wrong with it, in words. */
export function allowlistEntryProblem(raw: string): string | null {
  const entry = raw.trim();
  if (!entry) return "Enter an address or a range, or remove this line.";
  if (entry.includes("%")) return "Remove the interface zone (%…): it means nothing to the server.";
  const [address = "", prefix, ...more] = entry.split("/");
  if (more.length > 0) return "A range has one “/”, e.g. 203.0.113.0/24.";
  const v4 = parseIPv4(address);
  const v6 = v4 === null ? parseIPv6(address) : null;
  if (v4 === null && v6 === null) return "Not an IPv4 or IPv6 address or range (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/32).";
  if (prefix === undefined) return null;
  if (!/^\d{1,3}$/.test(prefix)) return "The range’s prefix length is a number, e.g. /24.";
  const bits = v4 !== null ? 32 : 128;
  const length = Number(prefix);
  if (length > bits) return `An ${v4 !== null ? "IPv4" : "IPv6"} prefix length is at most ${bits}.`;
  const value = (v4 ?? v6) as bigint;
  const hostMask = (1n << BigInt(bits - length)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask;
    const suggestion = v4 !== null ? formatIPv4(network) : formatIPv6(network);
    return `Host bits are set after /${length}; did you mean ${suggestion}/${length}?`;
  }
  return null;
}
