// Production sign-in: OpenID Connect authorization code flow with PKCE, by oidc-client-ts. Loaded only
// when the server names a provider, so development pages do not carry it.
import type { UserManager } from "oidc-client-ts";
import type { OidcSettings } from "./authConfig";
import type { Session } from "./session";

export const CALLBACK_PATH = "/signed-in";

async function userManager(settings: OidcSettings): Promise<UserManager> {
  const { UserManager, WebStorageStateStore } = await import("oidc-client-ts");
  // Access tokens for this API: RFC 8707's `resource` when the audience is a URI, and the `audience`
  // parameter that several providers (Auth0 among them) read instead.
  const extraQueryParams: Record<string, string> = { audience: settings.audience };
  if (/^[a-z][a-z0-9+.-]*:/i.test(settings.audience)) extraQueryParams.resource = settings.audience;
  return new UserManager({
    authority: settings.issuer,
    client_id: settings.clientId,
    redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: "code",
    scope: settings.scopes,
    extraQueryParams,
    extraTokenParams: extraQueryParams.resource ? { resource: extraQueryParams.resource } : {},
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
}

export async function startOidcSignIn(settings: OidcSettings): Promise<void> {
  const manager = await userManager(settings);
  await manager.signinRedirect();
}

export async function finishOidcSignIn(settings: OidcSettings): Promise<Session> {
  const manager = await userManager(settings);
  const user = await manager.signinRedirectCallback();
  const profile = user.profile;
  return {
    token: user.access_token,
    expiresAt: (user.expires_at ?? Math.floor(Date.now() / 1000) + 300) * 1000,
    via: "oidc",
    label: (profile.name as string | undefined) ?? profile.email ?? profile.sub,
  };
}

export async function forgetOidcUser(settings: OidcSettings): Promise<void> {
  const manager = await userManager(settings);
  await manager.removeUser();
}
