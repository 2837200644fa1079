import type { ApiKeyScope } from "../gql/graphql";
import { formatExact } from "../time/format";
import { type ExpiryChoice, expiryEnd } from "./ExpiryField";
import type { KeyPolicy } from "./policy";
import { describeAccess, resourcesOf } from "./scopeAccess";

interface Props {
  policy: KeyPolicy;
  description: string;
  scopes: readonly ApiKeyScope[];
  ipAllowlist: readonly string[];
  expiry: ExpiryChoice;
  zone: string;
  /** The carrier's code; null for a service key (it reads every carrier). */
  owner: string | null;
}

/** Cloudflare's summary before a token is made: these rights, on this carrier, from these addresses, until this date. */
export function KeyReview({ policy, description, scopes, ipAllowlist, expiry, zone, owner }: Props) {
  const end = expiryEnd(expiry, zone);
  return (
    <dl className="review">
      <div>
        <dt>Description</dt>
        <dd>{description}</dd>
      </div>
      <div>
        <dt>These rights{owner ? ` on ${owner}` : " on every carrier"}</dt>
        <dd>
          <ul className="plain">
            {describeAccess(resourcesOf(policy), scopes).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <span className="muted">Scopes: {[...scopes].sort().join(", ")}</span>
        </dd>
      </div>
      <div>
        <dt>From these addresses</dt>
        <dd>
          {ipAllowlist.length === 0 ? (
            <span className="badge warn">Any address: anyone holding the key can use it from anywhere.</span>
          ) : (
            <ul className="plain">
              {ipAllowlist.map((entry) => (
                <li key={entry}>
                  <code>{entry}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </div>
      <div>
        <dt>Until</dt>
        <dd>
          {end ? (
            <>
              {formatExact(end, zone)}
              {expiry.mode === "days" ? <span className="muted"> ({expiry.days} days from now)</span> : null}
            </>
          ) : (
            <span className="badge warn">Never expires: rotate it regularly.</span>
          )}
        </dd>
      </div>
    </dl>
  );
}
