import { useEffect, useRef, useState } from "react";
import type { AuthConfig } from "./authConfig";
import { finishOidcSignIn } from "./oidc";
import type { Session } from "./session";

/** Back from the identity provider: exchange the code (PKCE) for tokens, then continue. */
export function OidcCallback({ config, onSignedIn }: { config: AuthConfig | null; onSignedIn: (s: Session) => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (!config?.oidc || started.current) return;
    started.current = true;
    finishOidcSignIn(config.oidc).then(onSignedIn, (error: Error) => setProblem(error.message));
  }, [config, onSignedIn]);
  return (
    <main className="sign-in">
      <h1>Signing you in…</h1>
      {problem ? (
        <div role="alert" className="notice notice-error">
          <p>Sign-in did not complete: {problem}</p>
          <a href="/">Start again</a>
        </div>
      ) : (
        <p role="status">Finishing sign-in with your identity provider…</p>
      )}
      {config && !config.oidc ? <p role="alert">This server has no identity provider configured.</p> : null}
    </main>
  );
}
