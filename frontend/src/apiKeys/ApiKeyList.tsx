import type { ApiKeyFieldsFragment } from "../gql/graphql";
import { formatDate, formatDateTime, formatRelative } from "../ui/format";
import { nudgesFor } from "./nudges";

interface Props {
  keys: readonly ApiKeyFieldsFragment[];
  onEdit: (key: ApiKeyFieldsFragment) => void;
  onRotate: (key: ApiKeyFieldsFragment) => void;
  onRevoke: (key: ApiKeyFieldsFragment) => void;
}

const STATUS_LABELS = { ACTIVE: "Active", EXPIRED: "Expired", REVOKED: "Revoked" } as const;

/** The carrier's keys: what each is for, what it may do, from where, until when, and its last use. */
export function ApiKeyList({ keys, onEdit, onRotate, onRevoke }: Props) {
  return (
    <table className="table keys">
      <caption className="visually-hidden">API keys</caption>
      <thead>
        <tr>
          <th scope="col">Description</th>
          <th scope="col">Scopes</th>
          <th scope="col">IP allowlist</th>
          <th scope="col">Expires</th>
          <th scope="col">Status</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const nudges = nudgesFor(key);
          return (
            <tr key={key.id} className={key.status === "ACTIVE" ? undefined : "inactive"}>
              <th scope="row">
                {key.description}
                <br />
                <code className="muted">{key.hint}</code>
                {nudges.length > 0 ? (
                  <ul className="nudges" aria-label={`Advice for ${key.description}`}>
                    {nudges.map((nudge) => (
                      <li key={nudge.kind} className="badge warn">
                        {nudge.text}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </th>
              <td>{key.scopes.join(", ")}</td>
              <td>{key.ipAllowlist.length === 0 ? <span className="badge warn">Any address</span> : key.ipAllowlist.join(", ")}</td>
              <td>{key.expiresAt ? formatDate(key.expiresAt) : <span className="badge warn">Never</span>}</td>
              <td>
                {STATUS_LABELS[key.status]}
                {key.status === "REVOKED" && key.revocationReason ? <span className="muted"> — {key.revocationReason}</span> : null}
                {key.status === "ACTIVE" && key.revokedAt ? <span className="muted"> (stops {formatDateTime(key.revokedAt)})</span> : null}
              </td>
              <td>
                {key.lastUsedAt ? (
                  <>
                    <time dateTime={key.lastUsedAt} title={formatDateTime(key.lastUsedAt)}>
                      {formatRelative(key.lastUsedAt)}
                    </time>
                    {key.lastUsedAddress ? <span className="muted"> from {key.lastUsedAddress}</span> : null}
                  </>
                ) : (
                  "Never"
                )}
              </td>
              <td className="row-actions">
                {key.status === "ACTIVE" && !key.revokedAt ? (
                  <>
                    <button type="button" onClick={() => onEdit(key)}>
                      Edit <span className="visually-hidden">{key.description}</span>
                    </button>
                    <button type="button" onClick={() => onRotate(key)}>
                      Rotate <span className="visually-hidden">{key.description}</span>
                    </button>
                    <button type="button" className="danger" onClick={() => onRevoke(key)}>
                      Revoke <span className="visually-hidden">{key.description}</span>
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
