import { type FormEvent, useId, useState } from "react";
import { getFragmentData } from "../gql";
import { type ActorKind, type ApiKeyFieldsFragment, ApiKeyFieldsFragmentDoc, type ApiKeyScope, UpdateApiKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import { AllowlistEditor, allowlistIsValid } from "./AllowlistEditor";
import { useTimeZone } from "../time/zone";
import { type ExpiryChoice, ExpiryField, expiryError, expiryInput, expiryIsValid, restoredExpiry } from "./ExpiryField";
import { allowlistRule, type KeyPolicy } from "./policy";
import { ScopeAccessField } from "./ScopeAccessField";

interface Props {
  apiKey: ApiKeyFieldsFragment;
  policy: KeyPolicy;
  grantable: readonly ApiKeyScope[];
  viewerKind: ActorKind;
  onSaved: (description: string) => void;
  onClose: () => void;
  onReload: () => void;
  returnFocusTo?: () => HTMLElement | null | undefined;
}

const FIELDS = ["description", "ipAllowlist", "scopes", "expiresAt", "expiresOn", "timeZone", "neverExpires"] as const;

/** Change an active key's description, allowlist, scopes or expiry (its secret stays the same). */
export function EditKeyDialog({ apiKey, policy, grantable, viewerKind, onSaved, onClose, onReload, returnFocusTo }: Props) {
  const [stored, update, discard] = useDraft(`editApiKey:${apiKey.id}`, {
    description: apiKey.description,
    ipAllowlist: [...apiKey.ipAllowlist],
    scopes: [...apiKey.scopes],
    expiry: { mode: "keep", days: policy.defaultLifetimeDays, date: "" } as ExpiryChoice,
  });
  const draft = { ...stored, expiry: restoredExpiry(stored.expiry, policy) };
  const { run, fetching, requestProblem, formProblem } = useFormMutation(UpdateApiKeyDocument, FIELDS);
  const zone = useTimeZone();
  const id = useId();
  const [tried, setTried] = useState(false);
  const fields = formProblem?.fields ?? {};
  const missing = [
    draft.description.trim() === "" ? "add a description" : null,
    draft.scopes.length === 0 ? "give the key access to at least one resource" : null,
    policy.allowlistRequired && draft.ipAllowlist.length === 0 ? "add an IP allowlist (the key policy requires one)" : null,
    allowlistIsValid(draft.ipAllowlist, policy.maxAllowlistEntries) ? null : "correct the IP allowlist",
    expiryIsValid(draft.expiry, policy, zone) ? null : "choose a valid expiration day",
  ].filter((part) => part !== null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (missing.length > 0) {
      setTried(true);
      focusSoon(() => document.querySelector<HTMLElement>(`#${CSS.escape(id)}-form [aria-invalid="true"]`));
      return;
    }
    const payload = await run(
      {
        input: {
          id: apiKey.id,
          description: draft.description.trim(),
          ipAllowlist: draft.ipAllowlist.map((entry) => entry.trim()),
          scopes: draft.scopes,
          ...expiryInput(draft.expiry, policy, zone, { implicitDefault: false }),
          expectedVersion: apiKey.version,
        },
      },
      (data) => data.updateApiKey,
    );
    if (payload?.__typename === "ApiKeyPayload") {
      discard();
      onSaved(getFragmentData(ApiKeyFieldsFragmentDoc, payload.apiKey).description);
    }
  };

  return (
    <Dialog title={`Edit “${apiKey.description}”`} onClose={onClose} returnFocusTo={returnFocusTo}>
      <form id={`${id}-form`} onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <input
            id={`${id}-description`}
            value={draft.description}
            maxLength={policy.maxDescriptionLength}
            aria-invalid={fields.description || (tried && !draft.description.trim()) ? true : undefined}
            aria-describedby={`${id}-description-error`}
            onChange={(event) => update({ description: event.target.value })}
          />
          <FieldMessage
            id={`${id}-description-error`}
            message={fields.description ?? (tried && !draft.description.trim() ? "Add a description so anyone can tell what this key is for." : null)}
          />
        </div>
        <AllowlistEditor
          entries={draft.ipAllowlist}
          onChange={(ipAllowlist) => update({ ipAllowlist })}
          serverErrors={fields}
          maxEntries={policy.maxAllowlistEntries}
          showEmpty={tried}
          required={allowlistRule(policy)}
        />
        <ExpiryField
          policy={policy}
          viewerKind={viewerKind}
          value={draft.expiry}
          onChange={(expiry) => update({ expiry })}
          error={expiryError(fields)}
          modes={["keep", "days", "date", "never"]}
          current={apiKey.expiresAt}
        />
        <ScopeAccessField
          policy={policy}
          grantable={grantable}
          value={draft.scopes}
          onChange={(scopes) => update({ scopes })}
          error={fields.scopes ?? (tried && draft.scopes.length === 0 ? "Choose what the key may reach: at least one resource." : undefined)}
        />
        {formProblem ? (
          <FormProblemAlert
            problem={formProblem}
            onReload={() => {
              discard();
              onReload();
              onClose();
            }}
          />
        ) : null}
        {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={fetching}
            aria-disabled={missing.length > 0 ? true : undefined}
            aria-describedby={`${id}-missing`}
          >
            Save changes
          </button>
          <button
            type="button"
            onClick={() => {
              discard();
              onClose();
            }}
          >
            Cancel
          </button>
        </div>
        <p id={`${id}-missing`} className="hint">
          {missing.length > 0 ? `Before saving: ${missing.join("; ")}.` : ""}
        </p>
      </form>
    </Dialog>
  );
}
