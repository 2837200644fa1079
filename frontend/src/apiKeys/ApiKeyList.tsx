import type { ApiKeyFieldsFragment } from "../gql/graphql";
import type { Permission } from "../permissions/permissions";
import { formatDate, formatDateTime } from "../ui/format";
import { LastUse } from "./LastUse";
import { nudgesFor } from "./nudges";

export interface KeyActions {
  update: Permission;
  rotate: Permission;
  revoke: Permission;
  /** An element that already says why refused actions are off (the tab's notice); else the row says. */
  reasonsId?: string;
}

interface Props<Key extends ApiKeyFieldsFragment> {
  keys: readonly Key[];
  expiringSoonDays: number;
  /** What may be done to each key (its carrier's permissions). */
  actionsFor: (key: Key) => KeyActions;
  /** Keys of several carriers: a column says whose. */
  carrierOf?: (key: Key) => string;
  caption?: string;
  onEdit: (key: Key) => void;
  onRotate: (key: Key) => void;
  onRevoke: (key: Key) => void;
}

const STATUS_LABELS = { ACTIVE: "Active", EXPIRED: "Expired", REVOKED: "Revoked" } as const;

/** The keys: what each is for, what it may do, from where, until when, its last use and last refusal. */
export function ApiKeyList<Key extends ApiKeyFieldsFragment>({
  keys,
  expiringSoonDays,
  actionsFor,
  carrierOf,
  caption = "API keys",
  onEdit,
  onRotate,
  onRevoke,
}: Props<Key>) {
  return (
    <table className="table keys">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Description</th>
          {carrierOf ? <th scope="col">Carrier</th> : null}
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
              {carrierOf ? <td>{carrierOf(key)}</td> : null}
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
                  <RowActions apiKey={key} actions={actionsFor(key)} onEdit={onEdit} onRotate={onRotate} onRevoke={onRevoke} />
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface RowProps<Key> {
  apiKey: Key;
  actions: KeyActions;
  onEdit: (key: Key) => void;
  onRotate: (key: Key) => void;
  onRevoke: (key: Key) => void;
}

function RowActions<Key extends ApiKeyFieldsFragment>({ apiKey, actions, onEdit, onRotate, onRevoke }: RowProps<Key>) {
  const reasonsId = actions.reasonsId ?? `${apiKey.id}-refused`;
  const refused = [actions.update, actions.rotate, actions.revoke].filter((permission) => !permission.allowed);
  const control = (permission: Permission) => (permission.allowed ? {} : { disabled: true, "aria-describedby": reasonsId });
  return (
    <div className="row-actions">
      <button type="button" onClick={() => onEdit(apiKey)} {...control(actions.update)}>
        Edit <span className="visually-hidden">{apiKey.description}</span>
      </button>
      <button type="button" onClick={() => onRotate(apiKey)} {...control(actions.rotate)}>
        Rotate <span className="visually-hidden">{apiKey.description}</span>
      </button>
      <button type="button" className="danger" onClick={() => onRevoke(apiKey)} {...control(actions.revoke)}>
        Revoke <span className="visually-hidden">{apiKey.description}</span>
      </button>
      {!actions.reasonsId && refused.length > 0 ? (
        <p id={reasonsId} className="hint">
          {[...new Set(refused.map((permission) => permission.reason ?? "You may not do this."))].join(" ")}
        </p>
      ) : null}
    </div>
  );
}
