import { useEffect, useId, useMemo, useState } from "react";
import type { AuthConfig } from "./authConfig";
import { type DevIdentity, fetchDevIdentities, requestDevToken } from "./devSignIn";
import { startOidcSignIn } from "./oidc";
import type { Session } from "./session";

interface Props {
  config: AuthConfig | null;
  configError: string | null;
  expired: boolean;
  onSignedIn: (session: Session) => void;
  beforeRedirect: () => void;
}

/** Who are you? Single sign-on in production; in development, pick an identity. */
export function SignInScreen({ config, configError, expired, onSignedIn, beforeRedirect }: Props) {
  return (
    <main className="sign-in">
      <h1>Sign in to the Admin Portal’s Tools</h1>
      {expired ? (
        <p role="alert" className="notice notice-warning">
          Your session has expired. Sign in again to continue — what you typed has been kept.
        </p>
      ) : null}
      {configError ? (
        <p role="alert" className="notice notice-error">
          {configError} Reload the page to try again.
        </p>
      ) : null}
      {!config && !configError ? <p role="status">Loading sign-in options…</p> : null}
      {config?.oidc ? <OidcSignIn config={config} beforeRedirect={beforeRedirect} /> : null}
      {config?.developmentSignIn ? <DevelopmentSignIn onSignedIn={onSignedIn} /> : null}
      {config && !config.oidc && !config.developmentSignIn ? (
        <p role="alert">This server has no sign-in configured. Ask your administrator to set OIDC_ISSUER and OIDC_CLIENT_ID.</p>
      ) : null}
    </main>
  );
}

function OidcSignIn({ config, beforeRedirect }: { config: AuthConfig; beforeRedirect: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const oidc = config.oidc;
  if (!oidc) return null;
  const start = async () => {
    setBusy(true);
    setProblem(null);
    beforeRedirect();
    try {
      await startOidcSignIn(oidc);
    } catch (error) {
      setBusy(false);
      setProblem(`The identity provider could not be reached: ${(error as Error).message}`);
    }
  };
  return (
    <section aria-labelledby="sso-title" className="panel">
      <h2 id="sso-title">Single sign-on</h2>
      <p>You will sign in at {new URL(oidc.issuer).host} and come back here.</p>
      <button type="button" className="primary" onClick={start} disabled={busy}>
        Sign in with single sign-on
      </button>
      {problem ? <p role="alert">{problem}</p> : null}
    </section>
  );
}

const GROUPS: { kind: DevIdentity["kind"]; title: string }[] = [
  { kind: "STAFF", title: "Platform staff" },
  { kind: "CARRIER_ADMIN", title: "Administrator of a carrier" },
  { kind: "ORGANIZATION_ADMIN", title: "Administrator of an organization" },
];

function DevelopmentSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [identities, setIdentities] = useState<DevIdentity[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const filterId = useId();
  useEffect(() => {
    fetchDevIdentities().then(setIdentities, (error: Error) => setProblem(error.message));
  }, []);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (identities ?? []).filter((identity) => !needle || identity.label.toLowerCase().includes(needle));
  }, [identities, filter]);

  const signIn = async (identity: DevIdentity) => {
    setProblem(null);
    try {
      const { token, expiresAt } = await requestDevToken(identity);
      onSignedIn({ token, expiresAt: expiresAt * 1000, via: "development", label: identity.label });
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <section aria-labelledby="dev-title" className="panel">
      <h2 id="dev-title">Development sign-in</h2>
      <p className="muted">
        Development settings only: choose who you are. Production servers sign people in through their identity provider.
      </p>
      {problem ? (
        <p role="alert" className="notice notice-error">
          {problem}
        </p>
      ) : null}
      {!identities && !problem ? <p role="status">Loading identities…</p> : null}
      {identities ? (
        <>
          <div className="field">
            <label htmlFor={filterId}>Filter identities</label>
            <input id={filterId} type="search" value={filter} onChange={(event) => setFilter(event.target.value)} />
          </div>
          {GROUPS.map((group) => {
            const members = shown.filter((identity) => identity.kind === group.kind);
            if (members.length === 0) return null;
            return (
              <section key={group.kind} aria-label={group.title} className="identity-group">
                <h3>{group.title}</h3>
                <ul className="identity-list">
                  {members.map((identity) => (
                    <li key={identity.label}>
                      <button type="button" onClick={() => signIn(identity)}>
                        Sign in as {identity.label}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </>
      ) : null}
    </section>
  );
}
