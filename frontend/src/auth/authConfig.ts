// What the server says about signing in (GET /auth/config): the development sign-in, or the OpenID
// Connect provider the page runs the authorization code flow (with PKCE) against.

export interface OidcSettings {
  issuer: string;
  clientId: string;
  audience: string;
  scopes: string;
}

export interface AuthConfig {
  environment: "development" | "production";
  developmentSignIn: boolean;
  oidc: OidcSettings | null;
}

export async function fetchAuthConfig(fetcher: typeof fetch = fetch): Promise<AuthConfig> {
  const response = await fetcher("/auth/config", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`The server did not say how to sign in (HTTP ${response.status}).`);
  return (await response.json()) as AuthConfig;
}
