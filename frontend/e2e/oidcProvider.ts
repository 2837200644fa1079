// A real OpenID provider (the `oidc-provider` package) for the production sign-in test: the
// authorization code flow with PKCE, JWT access tokens for the API's audience, signed with a key the
// API fetches from the provider's JWKS, carrying the claims the API reads (staff, carriers,
// organizations, name, email). Its development login form accepts any login name; the name picks
// who signs in (see ACCOUNTS).
import { generateKeyPairSync } from "node:crypto";
import type { Server } from "node:http";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

export const CLIENT_ID = "tools-page";
export const AUDIENCE = "urn:carrier-admin:api";
export const API_SCOPE = "carrier-admin";

export interface Claims {
  name: string;
  email: string;
  staff: boolean;
  carriers: string[];
  organizations: string[];
}

export function accounts(organizationUuid: string): Record<string, Claims> {
  return {
    "staff@cedar.example": { name: "Stella Staff", email: "staff@cedar.example", staff: true, carriers: [], organizations: [] },
    "wes@wsor.example": { name: "Wes Admin", email: "wes@wsor.example", staff: false, carriers: ["WSOR"], organizations: [] },
    "olga@greatlakes.example": {
      name: "Olga Organization",
      email: "olga@greatlakes.example",
      staff: false,
      carriers: [],
      organizations: [organizationUuid],
    },
    // An administrator of several carriers (a token may list any number): HBLR, in no organization, and
    // LSRR and MVRR, whose organizations are then in her reach (requests-approved.spec makes all three).
    "nora@harbor.example": {
      name: "Nora Lines",
      email: "nora@harbor.example",
      staff: false,
      carriers: ["HBLR", "LSRR", "MVRR"],
      organizations: [],
    },
  };
}

export async function startOidcProvider(options: { port: number; appOrigin: string; organizationUuid: string }): Promise<Server> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const people = accounts(options.organizationUuid);
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "e2e-signing-key", alg: "RS256", use: "sig" };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: "none",
        application_type: "web",
        redirect_uris: [`${options.appOrigin}/signed-in`],
        post_logout_redirect_uris: [`${options.appOrigin}/`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [jwk as never] },
    claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
    scopes: ["openid", "profile", "email", API_SCOPE],
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: API_SCOPE,
          audience: AUDIENCE,
          accessTokenTTL: 600,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    pkce: { required: () => true },
    clientBasedCORS: (_ctx, origin) => origin === options.appOrigin,
    async findAccount(_ctx, id) {
      const person = people[id] ?? null;
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: person.name, email: person.email }) };
    },
    async extraTokenClaims(_ctx, token) {
      const person = "accountId" in token && token.accountId ? people[token.accountId as string] : undefined;
      return person ? { ...person } : {};
    },
    // Consent is the provider's business, not the page's: grant the client what it asks for.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const clientId = ctx.oidc.client?.clientId ?? CLIENT_ID;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session?.accountId ?? undefined });
      grant.addOIDCScope("openid profile email");
      grant.addResourceScope(AUDIENCE, API_SCOPE);
      await grant.save();
      return grant;
    },
  });
  return await new Promise((resolve) => {
    const server = provider.listen(options.port, "127.0.0.1", () => resolve(server));
  });
}
