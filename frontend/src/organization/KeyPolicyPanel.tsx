import { type FormEvent, useEffect, useId, useState } from "react";
import type { ApiKeyScope, KeyPolicySettingsFieldsFragment } from "../gql/graphql";
import { SetCarrierKeyPolicyDocument, SetOrganizationKeyPolicyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import type { Permission } from "../permissions/permissions";
import { describeGrace, type KeyPolicy, LEVEL_NAMES, setBy } from "../apiKeys/policy";
import { Link } from "../app/Link";
import { carrierPath } from "../app/router";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { Permitted } from "../ui/Permitted";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";

interface Props {
  code: string;
  carrierId: string;
  /** What this carrier's keys follow (every level), each rule with the level that set it. */
  effective: KeyPolicy;
  /** How many of the carrier's active keys fall short of it (`keysNotMeetingPolicy`); null: unknown. */
  keysNotMeeting?: number | null;
  /** The platform's policy: the level above an organization's. */
  platform: KeyPolicy;
  organization: { id: string; name: string; ownKeyPolicy: KeyPolicySettingsFieldsFragment; apiKeyPolicy: KeyPolicy } | null;
  carrierOwn: KeyPolicySettingsFieldsFragment;
  mayEditOrganization: Permission;
  mayEditCarrier: Permission;
  onChanged: (message: string) => void;
  /** Read the tab again (someone else changed the policy meanwhile). */
  onReload: () => void;
}

type Editing = "organization" | "carrier" | null;

const FIELDS = ["maxLifetimeDays", "allowlistRequired", "allowedScopes", "maxGracePeriodSeconds", "nonExpiringAllowed", "reason", "expectedVersion"] as const;

function graceWords(seconds: number): string {
  return seconds === 0 ? "no grace period" : describeGrace(seconds).replace(/^Keep it working for /, "");
}

/**
 * The API key policy this carrier's keys follow, rule by rule with the level that set it; the
 * organization's own policy, which its administrators (and staff) edit; staff's tightening for this
 * carrier. A level only tightens the ones above it: the server refuses anything looser, naming the level.
 */
export function KeyPolicyPanel(props: Props) {
  const { code, effective, organization, carrierOwn, mayEditOrganization, mayEditCarrier } = props;
  const [editing, setEditing] = useState<Editing>(null);
  const id = useId();
  const rows: [string, string, KeyPolicy["maxLifetimeDaysSource"]][] = [
    ["Longest key lifetime", `${effective.maxLifetimeDays} days`, effective.maxLifetimeDaysSource],
    ["IP allowlist", effective.allowlistRequired ? "Required" : "Not required", effective.allowlistRequiredSource],
    ["Scopes keys may hold", effective.allowedScopes.join(", "), effective.allowedScopesSource],
    ["Longest grace period after a rotation", graceWords(effective.maxGracePeriodSeconds), effective.maxGracePeriodSecondsSource],
    ["Keys that never expire", effective.nonExpiringAllowed ? "Allowed (staff only)" : "Not allowed", effective.nonExpiringAllowedSource],
  ];
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h3 id={`${id}-title`}>API key policy</h3>
      <p className="hint">
        Every key of {code} follows the strictest of the platform’s policy
        {organization ? `, ${organization.name}’s policy` : ""} and any tightening staff set for {code}.
      </p>
      <table className="table stacked">
        <caption>Key policy {code}’s keys follow</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Value</th>
            <th scope="col">Set by</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([rule, value, source]) => (
            <tr key={rule}>
              <th scope="row" data-label="Rule">
                {rule}
              </th>
              <td data-label="Value">{value}</td>
              <td data-label="Set by">{LEVEL_NAMES[source]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.keysNotMeeting ? (
        <p className="notice" role="status">
          {props.keysNotMeeting === 1 ? "1 active key" : `${props.keysNotMeeting} active keys`} of {code}{" "}
          {props.keysNotMeeting === 1 ? "does" : "do"} not meet this policy (issued before it was set or tightened; they
          keep working). <Link href={carrierPath(code, "api-keys")}>See them under API keys</Link>, each with what to do.
        </p>
      ) : props.keysNotMeeting === 0 ? (
        <p className="hint">Every active key of {code} meets this policy.</p>
      ) : null}
      <div className="actions">
        {organization ? (
          <Permitted permission={mayEditOrganization}>
            {(control) => (
              <button type="button" {...control} aria-expanded={editing === "organization"} onClick={() => setEditing("organization")}>
                Edit {organization.name}’s key policy
              </button>
            )}
          </Permitted>
        ) : null}
        <Permitted permission={mayEditCarrier}>
          {(control) => (
            <button type="button" {...control} aria-expanded={editing === "carrier"} onClick={() => setEditing("carrier")}>
              Tighten {code}’s key policy
            </button>
          )}
        </Permitted>
      </div>
      {editing === "organization" && organization && mayEditOrganization.allowed ? (
        <KeyPolicyForm
          level="organization"
          ownerId={organization.id}
          title={`${organization.name}’s key policy`}
          own={organization.ownKeyPolicy}
          above={props.platform}
          onReload={props.onReload}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            props.onChanged(`Saved ${organization.name}’s key policy: its carriers’ keys follow it now.`);
          }}
        />
      ) : null}
      {editing === "carrier" && mayEditCarrier.allowed ? (
        <KeyPolicyForm
          level="carrier"
          ownerId={props.carrierId}
          title={`${code}’s own key policy`}
          own={carrierOwn}
          above={organization?.apiKeyPolicy ?? props.platform}
          onReload={props.onReload}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            props.onChanged(`Saved ${code}’s own key policy.`);
          }}
        />
      ) : null}
    </section>
  );
}

interface Draft {
  maxLifetimeDays: string;
  allowlistRequired: "" | "true" | "false";
  limitScopes: boolean;
  allowedScopes: ApiKeyScope[];
  maxGracePeriodSeconds: string;
  nonExpiringAllowed: "" | "true" | "false";
  reason: string;
}

function draftOf(own: KeyPolicySettingsFieldsFragment): Draft {
  const flag = (value: boolean | null) => (value === null ? "" : value ? "true" : "false");
  return {
    maxLifetimeDays: own.maxLifetimeDays === null ? "" : String(own.maxLifetimeDays),
    allowlistRequired: flag(own.allowlistRequired),
    limitScopes: own.allowedScopes !== null,
    allowedScopes: [...(own.allowedScopes ?? [])],
    maxGracePeriodSeconds: own.maxGracePeriodSeconds === null ? "" : String(own.maxGracePeriodSeconds),
    nonExpiringAllowed: flag(own.nonExpiringAllowed),
    reason: "",
  };
}

interface FormProps {
  level: "organization" | "carrier";
  ownerId: string;
  title: string;
  own: KeyPolicySettingsFieldsFragment;
  /** The policy of the levels above: this level may only tighten it (its sources named beside each field). */
  above: KeyPolicy;
  onReload: () => void;
  onCancel: () => void;
  onSaved: () => void;
}

/** One level's own policy: each rule left to the levels above, or tightened; nothing looser is offered. */
function KeyPolicyForm({ level, ownerId, title, own, above, onReload, onCancel, onSaved }: FormProps) {
  const [draft, update, discard] = useDraft<Draft>(`keyPolicy:${level}:${ownerId}`, draftOf(own));
  // The version the form was opened on: a live change meanwhile makes the save a conflict, not an overwrite.
  const [openedOn] = useState(own.version);
  const organizationForm = useFormMutation(SetOrganizationKeyPolicyDocument, FIELDS);
  const carrierForm = useFormMutation(SetCarrierKeyPolicyDocument, FIELDS);
  const { fetching, requestProblem, formProblem } = level === "organization" ? organizationForm : carrierForm;
  const fields = formProblem?.fields ?? {};
  const id = useId();
  useEffect(() => {
    focusSoon(() => document.getElementById(`${id}-lifetime`));
  }, [id]);
  const graceChoices = above.gracePeriodChoicesSeconds.filter((seconds) => seconds <= above.maxGracePeriodSeconds);
  const allowedAbove = above.scopes.filter((scope) => scope.allowed);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const flag = (value: Draft["allowlistRequired"]) => (value === "" ? null : value === "true");
    const values = {
      maxLifetimeDays: draft.maxLifetimeDays.trim() === "" ? null : Number(draft.maxLifetimeDays),
      allowlistRequired: flag(draft.allowlistRequired),
      allowedScopes: draft.limitScopes ? draft.allowedScopes : null,
      maxGracePeriodSeconds: draft.maxGracePeriodSeconds === "" ? null : Number(draft.maxGracePeriodSeconds),
      nonExpiringAllowed: flag(draft.nonExpiringAllowed),
      reason: draft.reason.trim() || null,
      // Refused with a conflict if someone changed this level since the tab read it.
      expectedVersion: openedOn,
    };
    const saved =
      level === "organization"
        ? await organizationForm.run({ input: { organizationId: ownerId, ...values } }, (data) => data.setOrganizationKeyPolicy)
        : await carrierForm.run({ input: { carrierId: ownerId, ...values } }, (data) => data.setCarrierKeyPolicy);
    if (saved) {
      discard();
      onSaved();
    }
  };

  return (
    <form onSubmit={submit} className="panel" aria-labelledby={`${id}-title`} noValidate>
      <h4 id={`${id}-title`}>Edit {title}</h4>
      <p className="hint">Leave a rule to the levels above, or make it stricter; nothing looser than they set is allowed.</p>
      <div className="field">
        <label htmlFor={`${id}-lifetime`}>Longest key lifetime, in days</label>
        <input
          id={`${id}-lifetime`}
          type="number"
          inputMode="numeric"
          min={1}
          max={above.maxLifetimeDays}
          placeholder={`${above.maxLifetimeDays} (from above)`}
          value={draft.maxLifetimeDays}
          aria-invalid={fields.maxLifetimeDays ? true : undefined}
          aria-describedby={`${id}-lifetime-help ${id}-lifetime-error`}
          onChange={(event) => update({ maxLifetimeDays: event.target.value })}
        />
        <p id={`${id}-lifetime-help`} className="hint">
          Empty: {above.maxLifetimeDays} days ({setBy(above.maxLifetimeDaysSource)}). At most that.
        </p>
        <FieldMessage id={`${id}-lifetime-error`} message={fields.maxLifetimeDays} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-allowlist`}>IP allowlist</label>
        <select
          id={`${id}-allowlist`}
          value={draft.allowlistRequired}
          aria-describedby={`${id}-allowlist-error`}
          onChange={(event) => update({ allowlistRequired: event.target.value as Draft["allowlistRequired"] })}
        >
          <option value="">
            As above: {above.allowlistRequired ? "required" : "not required"} ({setBy(above.allowlistRequiredSource)})
          </option>
          <option value="true">Required for every key</option>
          {above.allowlistRequired ? null : <option value="false">Not required</option>}
        </select>
        <FieldMessage id={`${id}-allowlist-error`} message={fields.allowlistRequired} />
      </div>
      <fieldset aria-describedby={`${id}-scopes-help ${id}-scopes-error`}>
        <legend>Scopes keys may hold</legend>
        <label className="choice">
          <input type="checkbox" checked={draft.limitScopes} onChange={(event) => update({ limitScopes: event.target.checked })} />
          Limit the scopes at this level
        </label>
        <p id={`${id}-scopes-help`} className="hint">
          Otherwise as above: {above.allowedScopes.join(", ")} ({setBy(above.allowedScopesSource)}).
        </p>
        {draft.limitScopes
          ? allowedAbove.map((scope) => (
              <label key={scope.scope} className="choice">
                <input
                  type="checkbox"
                  checked={draft.allowedScopes.includes(scope.scope)}
                  onChange={(event) =>
                    update({
                      allowedScopes: event.target.checked
                        ? [...draft.allowedScopes, scope.scope]
                        : draft.allowedScopes.filter((chosen) => chosen !== scope.scope),
                    })
                  }
                />
                <code className="scope-code">{scope.scope}</code> <span className="muted">{scope.description}</span>
              </label>
            ))
          : null}
        <FieldMessage id={`${id}-scopes-error`} message={fields.allowedScopes} />
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-grace`}>Longest grace period after a rotation</label>
        <select
          id={`${id}-grace`}
          value={draft.maxGracePeriodSeconds}
          aria-describedby={`${id}-grace-error`}
          onChange={(event) => update({ maxGracePeriodSeconds: event.target.value })}
        >
          <option value="">
            As above: {graceWords(above.maxGracePeriodSeconds)} ({setBy(above.maxGracePeriodSecondsSource)})
          </option>
          {graceChoices.map((seconds) => (
            <option key={seconds} value={String(seconds)}>
              {graceWords(seconds)}
            </option>
          ))}
        </select>
        <FieldMessage id={`${id}-grace-error`} message={fields.maxGracePeriodSeconds} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-never`}>Keys that never expire</label>
        <select
          id={`${id}-never`}
          value={draft.nonExpiringAllowed}
          aria-describedby={`${id}-never-error`}
          onChange={(event) => update({ nonExpiringAllowed: event.target.value as Draft["nonExpiringAllowed"] })}
        >
          <option value="">
            As above: {above.nonExpiringAllowed ? "allowed" : "not allowed"} ({setBy(above.nonExpiringAllowedSource)})
          </option>
          <option value="false">Not allowed</option>
        </select>
        <FieldMessage id={`${id}-never-error`} message={fields.nonExpiringAllowed} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason (optional, for the activity log)</label>
        <input id={`${id}-reason`} value={draft.reason} maxLength={500} onChange={(event) => update({ reason: event.target.value })} />
        <FieldMessage id={`${id}-reason-error`} message={fields.reason} />
      </div>
      <p className="hint">Keys issued before keep working; those that fall short are marked on the API keys tab with what to do.</p>
      {formProblem ? (
        <FormProblemAlert
          problem={formProblem}
          onReload={() => {
            discard();
            onReload();
          }}
        />
      ) : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={fetching}>
          Save key policy
        </button>
        <button
          type="button"
          onClick={() => {
            discard();
            onCancel();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
