import type { Server } from "node:http";
import { startOidcProvider } from "./oidcProvider";

/** With OIDC_PORT set (by the harness), start the OpenID provider the production server trusts. */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  const port = Number(process.env.OIDC_PORT ?? 0);
  const appOrigin = process.env.TOOLS_PROD_URL;
  if (!port || !appOrigin) return undefined;
  const organizationUuid = await organizationUuidOf("Great Lakes Short Line Group");
  const server: Server = await startOidcProvider({ port, appOrigin, organizationUuid });
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** The organization's UUID (the claim carries raw ids), read from the development server's identities. */
async function organizationUuidOf(name: string): Promise<string> {
  const base = process.env.TOOLS_URL ?? "http://127.0.0.1:8080";
  const response = await fetch(`${base}/auth/dev-identities`);
  const { identities } = (await response.json()) as { identities: { label: string; organizationId?: string }[] };
  const found = identities.find((identity) => identity.label.endsWith(`organization ${name}`));
  if (!found?.organizationId) throw new Error(`no organization ${name} in the demo data`);
  return Buffer.from(found.organizationId, "base64").toString().split(":")[1] ?? "";
}
