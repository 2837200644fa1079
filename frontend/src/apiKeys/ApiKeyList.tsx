import type { ApiKeyFieldsFragment } from "../gql/graphql";
import type { Permission } from "../permissions/permissions";
import { formatDate, formatDateTime } from "../ui/format";
import { LastUse } from "./LastUse";
import { nudgesFor } from "./nudges";

export interface KeyActions {
  update: Permission;
  rotate: Permission;
  revoke: Permission;
  /** The element that says why a refused action is off (the tab's notice), for aria-describedby. */
  reasonsId: string;
}

interface Props {
  keys: readonly ApiKeyFieldsFragment[];
  expiringSoonDays: number;
  actions: KeyActions;
  onEdit: (key: ApiKeyFieldsFragment) => void;
  onRotate: (key: ApiKeyFieldsFragment) => void;
  onRevoke: (key: ApiKeyFieldsFragment) => void;
}

const STATUS_LABELS = { ACTIVE: "Active", EXPIRED: "Expired", REVOKED: "Revoked" } as const;

/** The keys: what each is for, what it may do, from where, until when, its last use and last refusal. */
export function ApiKeyList({ keys, expiringSoonDays, actions, onEdit, onRotate, onRevoke }: Props) {
  const control = (permission: Permission) =>
    permission.allowed ? {} : { disabled: true, "aria-describedby": actions.reasonsId };
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
          const nudges = nudgesFor(key, expiringSoonDays);
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
              <td>
                {key.expiresAt ? (
                  <time dateTime={key.expiresAt} title={formatDateTime(key.expiresAt)}>
                    {formatDate(key.expiresAt)}
                  </time>
                ) : (
                  <span className="badge warn">Never</span>
                )}
              </td>
              <td>
                {STATUS_LABELS[key.status]}
                {key.status === "REVOKED" && key.revocationReason ? <span className="muted"> — {key.revocationReason}</span> : null}
                {key.status === "ACTIVE" && key.revokedAt ? <span className="muted"> (stops {formatDateTime(key.revokedAt)})</span> : null}
              </td>
              <td>
                <LastUse apiKey={key} />
              </td>
              <td>
                {key.status === "ACTIVE" && !key.revokedAt ? (
                  <div className="row-actions">
                    <button type="button" onClick={() => onEdit(key)} {...control(actions.update)}>
                      Edit <span className="visually-hidden">{key.description}</span>
                    </button>
                    <button type="button" onClick={() => onRotate(key)} {...control(actions.rotate)}>
                      Rotate <span className="visually-hidden">{key.description}</span>
                    </button>
                    <button type="button" className="danger" onClick={() => onRevoke(key)} {...control(actions.revoke)}>
                      Revoke <span className="visually-hidden">{key.description}</span>
                    </button>
                  </div>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
