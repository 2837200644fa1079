// Development sign-in (development settings only; the endpoints answer 404 in production).

export type DevIdentity =
  | { kind: "STAFF"; label: string }
  | { kind: "ORGANIZATION_ADMIN"; organizationId: string; label: string }
  | { kind: "CARRIER_ADMIN"; carrierCode: string; label: string };

export async function fetchDevIdentities(): Promise<DevIdentity[]> {
  const response = await fetch("/auth/dev-identities", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`The development sign-in is not available (HTTP ${response.status}).`);
  const body = (await response.json()) as { identities: DevIdentity[] };
  return body.identities;
}

export async function requestDevToken(identity: DevIdentity): Promise<{ token: string; expiresAt: number }> {
  const who =
    identity.kind === "STAFF"
      ? { kind: identity.kind }
      : identity.kind === "CARRIER_ADMIN"
        ? { kind: identity.kind, carrierCode: identity.carrierCode }
        : { kind: identity.kind, organizationId: identity.organizationId };
  const response = await fetch("/auth/dev-token", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(who),
  });
  if (!response.ok) throw new Error(`The server refused to sign you in (HTTP ${response.status}).`);
  return (await response.json()) as { token: string; expiresAt: number };
}
