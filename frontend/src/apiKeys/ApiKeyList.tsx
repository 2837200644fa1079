import { useState } from "react";
import type { ApiKeyFieldsFragment } from "../gql/graphql";
import type { Permission } from "../permissions/permissions";
import { Time } from "../time/Time";
import { KeyUsageDialog } from "./KeyUsageDialog";
import { LastUse } from "./LastUse";
import { nudgesFor } from "./nudges";
import type { KeyPolicy } from "./policy";
import { LEVEL_LABELS, levelOf, resourcesOf } from "./scopeAccess";
import { Sparkline } from "./Sparkline";
import { totals, USAGE_DAYS, type UsageDay } from "./usage";
import { useKeySparklines } from "./useKeySparklines";

export interface KeyActions {
  update: Permission;
  rotate: Permission;
  revoke: Permission;
  /** An element that already says why refused actions are off (the tab's notice); else the row says. */
  reasonsId?: string;
}

interface Props<Key extends ApiKeyFieldsFragment> {
  keys: readonly Key[];
  /** Each key's last 30 days, when the list's own request brought them; else the list asks for them. */
  usage?: ReadonlyMap<string, readonly UsageDay[]>;
  policy: KeyPolicy;
  /** What may be done to each key (its carrier's permissions). */
  actionsFor: (key: Key) => KeyActions;
  /** Keys of several carriers: a column says whose. */
  carrierOf?: (key: Key) => string;
  caption?: string;
  onEdit: (key: Key) => void;
  onRotate: (key: Key) => void;
  /** Revoke a key, or (a rotated key in its grace period) stop it now; `replacedBy`: its replacement's hint. */
  onRevoke: (key: Key, replacedBy: string | null) => void;
}

const STATUS_LABELS = { ACTIVE: "Active", EXPIRED: "Expired", REVOKED: "Revoked" } as const;

/** A rotated key still working through its grace period. */
export const inGracePeriod = (key: ApiKeyFieldsFragment) => key.status === "ACTIVE" && key.revokedAt !== null;

/**
 * The keys: what each is for, what it may reach, from where, until when, its last use and last refusal,
 * and its last 30 days of use (a sparkline that opens the key's usage chart).
 * On a narrow screen each key is a block of labelled lines instead of a row of cells.
 */
export function ApiKeyList<Key extends ApiKeyFieldsFragment>({
  keys,
  usage: given,
  policy,
  actionsFor,
  carrierOf,
  caption = "API keys",
  onEdit,
  onRotate,
  onRevoke,
}: Props<Key>) {
  const resources = resourcesOf(policy);
  // A key in its grace period names its replacement when that is listed too.
  const replacementOf = new Map(keys.flatMap((key) => (key.rotatedFrom ? [[key.rotatedFrom.id, key.hint] as const] : [])));
  const asked = useKeySparklines(given ? [] : keys.map((key) => key.id));
  const usage = given ?? asked;
  const [charted, setCharted] = useState<Key | null>(null);
  return (
    <>
    <table className="table keys stacked">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Description</th>
          {carrierOf ? <th scope="col">Carrier</th> : null}
          <th scope="col">Permissions</th>
          <th scope="col">IP allowlist</th>
          <th scope="col">Expires</th>
          <th scope="col">Status</th>
          <th scope="col">Last used</th>
          <th scope="col">Last {USAGE_DAYS} days</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const days = usage.get(key.id);
          const nudges = nudgesFor(key, policy, undefined, days);
          const grace = inGracePeriod(key);
          const replacedBy = grace ? (replacementOf.get(key.id) ?? replacementHint(key.revocationReason)) : null;
          const predecessor = key.rotatedFrom;
          return (
            <tr key={key.id} className={key.status === "ACTIVE" && !grace ? undefined : "inactive"}>
              <th scope="row" data-label="Description">
                {key.description}
                <br />
                <code className="muted">{key.hint}</code>
                {grace ? (
                  <>
                    {" "}
                    <span className="badge warn">Old key, being replaced</span>
                  </>
                ) : null}
                {predecessor && predecessor.status === "ACTIVE" ? (
                  <>
                    {" "}
                    <span className="badge on">New key</span>
                  </>
                ) : null}
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
              {carrierOf ? <td data-label="Carrier">{carrierOf(key)}</td> : null}
              <td data-label="Permissions">
                <ul className="plain">
                  {resources.map((resource) => {
                    const level = levelOf(resource, key.scopes);
                    return level === "NONE" ? null : (
                      <li key={resource.name}>
                        {LEVEL_LABELS[level]}: {resource.name}
                      </li>
                    );
                  })}
                </ul>
                <span className="muted scope-codes">{key.scopes.join(", ")}</span>
              </td>
              <td data-label="IP allowlist">
                {key.ipAllowlist.length === 0 ? <span className="badge warn">Any address</span> : key.ipAllowlist.join(", ")}
              </td>
              <td data-label="Expires">{key.expiresAt ? <Time iso={key.expiresAt} as="date" /> : <span className="badge warn">Never</span>}</td>
              <td data-label="Status">
                {grace && key.revokedAt ? (
                  <>
                    Active until <Time iso={key.revokedAt} />
                    <span className="muted">
                      {" "}
                      (grace period{replacedBy ? <>; replaced by <code>{replacedBy}</code></> : null})
                    </span>
                  </>
                ) : (
                  STATUS_LABELS[key.status]
                )}
                {key.status === "REVOKED" && key.revocationReason ? <span className="muted"> — {key.revocationReason}</span> : null}
                {predecessor ? (
                  <p className="muted replaces">
                    Replaces <code>{predecessor.hint}</code>
                    {predecessor.status === "ACTIVE" && predecessor.revokedAt ? (
                      <>
                        , which keeps working until <Time iso={predecessor.revokedAt} />
                      </>
                    ) : null}
                    .
                  </p>
                ) : null}
              </td>
              <td data-label="Last used">
                <LastUse apiKey={key} />
              </td>
              <td data-label={`Last ${USAGE_DAYS} days`}>
                {days ? <UsageButton apiKey={key} days={days} onOpen={() => setCharted(key)} /> : <span className="muted">…</span>}
              </td>
              <td data-label="Actions" className="actions-cell">
                {key.status === "ACTIVE" && !grace ? (
                  <RowActions apiKey={key} actions={actionsFor(key)} onEdit={onEdit} onRotate={onRotate} onRevoke={(target) => onRevoke(target, null)} />
                ) : null}
                {grace ? <GraceActions apiKey={key} actions={actionsFor(key)} onStop={(target) => onRevoke(target, replacedBy)} /> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    {charted ? <KeyUsageDialog apiKey={charted} onClose={() => setCharted(null)} /> : null}
    </>
  );
}

/** The key's sparkline and its totals, as the control that opens its usage chart. */
function UsageButton({ apiKey, days, onOpen }: { apiKey: ApiKeyFieldsFragment; days: readonly UsageDay[]; onOpen: () => void }) {
  const { served, refused } = totals(days);
  return (
    <button type="button" className="usage-button" onClick={onOpen}>
      <Sparkline days={days} />
      <span className="usage-totals">
        {served.toLocaleString()} served
        {refused > 0 ? <span className="refused-text">, {refused.toLocaleString()} refused</span> : null}
      </span>
      <span className="visually-hidden">
        {" "}
        in the last {USAGE_DAYS} days: show the usage of {apiKey.description}
      </span>
    </button>
  );
}

/** The replacement's hint from the rotation's recorded reason ("rotated: replaced by cak_…"). */
function replacementHint(reason: string | null): string | null {
  const match = reason ? /replaced by (\S+)/.exec(reason) : null;
  return match?.[1] ?? null;
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

/** A rotated key in its grace period: waiting is no longer the only choice (Stripe's "roll key" asks when). */
function GraceActions<Key extends ApiKeyFieldsFragment>({ apiKey, actions, onStop }: { apiKey: Key; actions: KeyActions; onStop: (key: Key) => void }) {
  const reasonsId = actions.reasonsId ?? `${apiKey.id}-refused`;
  return (
    <div className="row-actions">
      <button
        type="button"
        className="danger"
        onClick={() => onStop(apiKey)}
        {...(actions.revoke.allowed ? {} : { disabled: true, "aria-describedby": reasonsId })}
      >
        Stop the old key now <span className="visually-hidden">({apiKey.description}, {apiKey.hint})</span>
      </button>
      {!actions.reasonsId && !actions.revoke.allowed ? (
        <p id={reasonsId} className="hint">
          {actions.revoke.reason ?? "You may not do this."}
        </p>
      ) : null}
    </div>
  );
}
