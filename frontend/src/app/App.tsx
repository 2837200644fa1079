import { useCallback, useEffect, useMemo, useState } from "react";
import { Provider } from "urql";
import { type AuthConfig, fetchAuthConfig } from "../auth/authConfig";
import { OidcCallback } from "../auth/OidcCallback";
import { forgetOidcUser } from "../auth/oidc";
import {
  clearSession,
  loadSession,
  rememberReturnPath,
  saveSession,
  type Session,
  sessionHadExpired,
  takeReturnPath,
} from "../auth/session";
import { type SessionAccess, SessionAccessContext } from "../auth/sessionAccess";
import { SignInScreen } from "../auth/SignInScreen";
import { createApiClient } from "../graphql/client";
import { createLiveConnection, liveUrl } from "../graphql/live";
import { LiveContext } from "../graphql/useLive";
import { Shell } from "../shell/Shell";
import { ErrorBoundary } from "../ui/ErrorBoundary";
import { navigate, parseRoute, usePath } from "./router";

const here = () => window.location.pathname + window.location.search;
// setTimeout fires at once for delays past 2^31-1 ms (about 24.8 days): wait at most that, then again.
const MAX_TIMER_MS = 2_147_483_647;

/** Signed out: the sign-in screen. Signed in: the Tools page, until the session ends. */
export function App() {
  const path = usePath();
  const route = parseRoute(path);
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [expired, setExpired] = useState(sessionHadExpired);

  useEffect(() => {
    fetchAuthConfig().then(setConfig, (error: Error) => setConfigError(error.message));
  }, []);

  // An ended session sends the user to sign in, remembering where they were; the forms' drafts stay
  // in sessionStorage, so nothing typed is lost.
  const expire = useCallback(() => {
    clearSession({ expired: true, returnTo: here() });
    setSession(null);
    setExpired(true);
  }, []);

  useEffect(() => {
    if (!session) return;
    let timer = 0;
    const wait = () => {
      const left = session.expiresAt - Date.now();
      timer = left <= 0 ? window.setTimeout(expire, 0) : window.setTimeout(wait, Math.min(left, MAX_TIMER_MS));
    };
    wait();
    return () => window.clearTimeout(timer);
  }, [session, expire]);

  const signedIn = useCallback((next: Session) => {
    saveSession(next);
    setSession(next);
    setExpired(false);
    const back = takeReturnPath();
    if (back) navigate(back, { replace: true });
    else if (parseRoute(here()).name === "signedIn") navigate("/", { replace: true });
  }, []);

  const signOut = useCallback(() => {
    if (session?.via === "oidc" && config?.oidc) void forgetOidcUser(config.oidc);
    clearSession({ expired: false });
    setSession(null);
    setExpired(false);
    navigate("/");
  }, [session, config]);

  // One WebSocket per session for the tabs' live changes; closed when the session ends (sign-out, expiry).
  const live = useMemo(
    () => (session ? createLiveConnection({ url: liveUrl(), token: () => session.token, onUnauthenticated: expire }) : null),
    [session, expire],
  );
  useEffect(() => () => live?.dispose(), [live]);
  const client = useMemo(
    () => (session && live ? createApiClient({ token: () => session.token, onUnauthenticated: expire, live }) : null),
    [session, live, expire],
  );
  const access = useMemo<SessionAccess | null>(() => (session ? { token: () => session.token, expire } : null), [session, expire]);

  let page;
  if (route.name === "signedIn" && !session) {
    page = <OidcCallback config={config} onSignedIn={signedIn} />;
  } else if (!session || !client || !access) {
    page = (
      <SignInScreen
        config={config}
        configError={configError}
        expired={expired}
        onSignedIn={signedIn}
        beforeRedirect={() => {
          if (!expired) rememberReturnPath(here());
        }}
      />
    );
  } else {
    page = (
      <Provider value={client}>
        <LiveContext.Provider value={live}>
          <SessionAccessContext.Provider value={access}>
            <Shell route={route} sessionLabel={session.label} onSignOut={signOut} />
          </SessionAccessContext.Provider>
        </LiveContext.Provider>
      </Provider>
    );
  }
  return <ErrorBoundary where="the Tools page">{page}</ErrorBoundary>;
}
