import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { type ActorKind, type ApiKeyScope, CreateApiKeyDocument, CreateServiceKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import type { Permission } from "../permissions/permissions";
import { API_KEY_TOOL } from "../text/seed";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { Permitted } from "../ui/Permitted";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import { AllowlistEditor, allowlistIsValid } from "./AllowlistEditor";
import { type ExpiryChoice, ExpiryField, expiryError, expiryInput, expiryIsValid } from "./ExpiryField";
import type { KeyPolicy } from "./policy";
import { ScopeCheckboxes } from "./ScopeCheckboxes";

/** Whose key: one carrier's, or a service key of no carrier (staff, for the vendor's other services). */
export type KeyOwner = { kind: "carrier"; id: string; code: string } | { kind: "service" };

interface Props {
  owner: KeyOwner;
  policy: KeyPolicy;
  /** Whether the API would issue the key now (Carrier.permissions' createApiKey, or createServiceKey). */
  permission: Permission;
  grantable: readonly ApiKeyScope[];
  viewerKind: ActorKind;
  onCreated: (secret: string, description: string) => void;
  onCancel: () => void;
  /** The server refused for a reason the permissions should have said (they changed): reload them. */
  onRefused: () => void;
}

interface Draft {
  description: string;
  ipAllowlist: string[];
  expiry: ExpiryChoice;
  scopes: ApiKeyScope[];
  /** One per draft: a retry after a network failure returns the key made the first time. */
  idempotencyKey: string;
}

const FIELDS = ["description", "ipAllowlist", "expiresAt", "expiresOn", "timeZone", "neverExpires", "scopes"] as const;
// Refusals that mean the page's picture of the carrier (API access, the key limit) is out of date.
const STALE = ["ForbiddenError", "LimitReachedError"];
const newIdempotencyKey = () => crypto.randomUUID();

/** The seed's steps: a description, then security (allowlist, expiration, scopes); then the secret, once. */
export function CreateApiKeyForm({ owner, policy, permission, grantable, viewerKind, onCreated, onCancel, onRefused }: Props) {
  const initial = useMemo<Draft>(
    () => ({ description: "", ipAllowlist: [], expiry: { mode: "default", date: "" }, scopes: [], idempotencyKey: newIdempotencyKey() }),
    [],
  );
  const [draft, update, discard] = useDraft<Draft>(owner.kind === "carrier" ? `createApiKey:${owner.code}` : "createServiceKey", initial);
  const carrierKey = useFormMutation(CreateApiKeyDocument, FIELDS);
  const serviceKey = useFormMutation(CreateServiceKeyDocument, FIELDS);
  const { fetching, requestProblem, formProblem } = owner.kind === "carrier" ? carrierKey : serviceKey;
  const [replayed, setReplayed] = useState(false);
  const id = useId();
  const fields = formProblem?.fields ?? {};
  const ready =
    draft.description.trim() !== "" &&
    draft.scopes.length > 0 &&
    allowlistIsValid(draft.ipAllowlist, policy.maxAllowlistEntries) &&
    expiryIsValid(draft.expiry, policy);

  useEffect(() => {
    if (formProblem && STALE.includes(formProblem.typename)) onRefused();
  }, [formProblem, onRefused]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!permission.allowed || !ready) return;
    const input = {
      description: draft.description.trim(),
      scopes: draft.scopes,
      ipAllowlist: draft.ipAllowlist.map((entry) => entry.trim()),
      ...expiryInput(draft.expiry),
      idempotencyKey: draft.idempotencyKey,
    };
    const payload =
      owner.kind === "carrier"
        ? await carrierKey.run({ input: { carrierId: owner.id, ...input } }, (data) => data.createApiKey)
        : await serviceKey.run({ input }, (data) => data.createServiceKey);
    if (payload?.__typename !== "CreateApiKeyPayload") return;
    if (!payload.secret) {
      // A retry of a request that had already issued the key: its secret went to the lost answer.
      setReplayed(true);
      return;
    }
    discard();
    onCreated(payload.secret, payload.apiKey.description);
  };

  return (
    <form onSubmit={submit} className="panel create-key" aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>{owner.kind === "carrier" ? API_KEY_TOOL.createTitle : "Create a service key"}</h3>
      <ol className="steps">
        <li>
          <h4>{API_KEY_TOOL.descriptionStep.title}</h4>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description</label>
            <input
              id={`${id}-description`}
              value={draft.description}
              maxLength={policy.maxDescriptionLength}
              required
              aria-invalid={fields.description ? true : undefined}
              aria-describedby={`${id}-description-help${fields.description ? ` ${id}-description-error` : ""}`}
              onChange={(event) => update({ description: event.target.value })}
            />
            <div id={`${id}-description-help`} className="hint">
              {owner.kind === "carrier" ? (
                <>
                  {API_KEY_TOOL.descriptionStep.help} {API_KEY_TOOL.descriptionStep.goodExamplesTitle}{" "}
                  {API_KEY_TOOL.descriptionStep.goodExamples.map((example) => `“${example}”`).join(", ")}
                </>
              ) : (
                "Which service uses it, e.g. “Billing: nightly enablement sync”."
              )}
            </div>
            <FieldMessage id={`${id}-description-error`} message={fields.description} />
          </div>
        </li>
        <li>
          <h4>{API_KEY_TOOL.securityStep.title}</h4>
          <p className="hint">{API_KEY_TOOL.securityStep.help}</p>
          <AllowlistEditor
            entries={draft.ipAllowlist}
            onChange={(ipAllowlist) => update({ ipAllowlist })}
            serverErrors={fields}
            maxEntries={policy.maxAllowlistEntries}
          />
          <ExpiryField
            policy={policy}
            viewerKind={viewerKind}
            value={draft.expiry}
            onChange={(expiry) => update({ expiry })}
            error={expiryError(fields)}
            modes={["default", "date", "never"]}
          />
          <ScopeCheckboxes
            scopes={policy.scopes}
            grantable={grantable}
            value={draft.scopes}
            onChange={(scopes) => update({ scopes })}
            error={fields.scopes}
          />
        </li>
      </ol>
      {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      {replayed ? (
        <div role="alert" className="notice notice-warning">
          <p>
            This key was already created by your earlier attempt, whose answer (with the secret) was lost. Revoke it in the
            list and create a new one.
          </p>
          <button
            type="button"
            onClick={() => {
              setReplayed(false);
              update({ idempotencyKey: newIdempotencyKey() });
            }}
          >
            Start a new key with these settings
          </button>
        </div>
      ) : null}
      <div className="actions">
        <Permitted permission={permission}>
          {(control) => (
            <button
              type="submit"
              className="primary"
              disabled={control.disabled || fetching || !ready}
              aria-describedby={control["aria-describedby"]}
            >
              {fetching ? "Creating…" : owner.kind === "carrier" ? "Create API key" : "Create service key"}
            </button>
          )}
        </Permitted>
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
