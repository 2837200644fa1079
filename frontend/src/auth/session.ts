// The signed-in session: a bearer token for /graphql and when it stops working. Kept in sessionStorage
// (this tab only, gone when it closes), never in localStorage or a cookie.

export interface Session {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  via: "development" | "oidc";
  label: string;
}

const KEY = "tools.session";
const RETURN_KEY = "tools.returnTo";
const EXPIRED_KEY = "tools.sessionExpired";

export function loadSession(now = Date.now()): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > now ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
  sessionStorage.removeItem(EXPIRED_KEY);
}

export function clearSession(options: { expired: boolean; returnTo?: string }): void {
  sessionStorage.removeItem(KEY);
  if (options.expired) sessionStorage.setItem(EXPIRED_KEY, "1");
  else sessionStorage.removeItem(EXPIRED_KEY);
  if (options.returnTo) sessionStorage.setItem(RETURN_KEY, options.returnTo);
}

export function sessionHadExpired(): boolean {
  return sessionStorage.getItem(EXPIRED_KEY) === "1";
}

/** Where to go after signing in: where the user was when the session ended, else the start. */
export function takeReturnPath(): string | null {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return path && path.startsWith("/") && !path.startsWith("//") ? path : null;
}

export function rememberReturnPath(path: string): void {
  sessionStorage.setItem(RETURN_KEY, path);
}
