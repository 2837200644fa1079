import { type FormEvent, useId } from "react";
import { type ActorKind, type ApiKeyFieldsFragment, type ApiKeyScope, UpdateApiKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import { AllowlistEditor, allowlistIsValid } from "./AllowlistEditor";
import { type ExpiryChoice, ExpiryField, expiryError, expiryInput, expiryIsValid } from "./ExpiryField";
import type { KeyPolicy } from "./policy";
import { ScopeCheckboxes } from "./ScopeCheckboxes";

interface Props {
  apiKey: ApiKeyFieldsFragment;
  policy: KeyPolicy;
  grantable: readonly ApiKeyScope[];
  viewerKind: ActorKind;
  onSaved: (description: string) => void;
  onClose: () => void;
  onReload: () => void;
}

const FIELDS = ["description", "ipAllowlist", "scopes", "expiresAt", "expiresOn", "timeZone", "neverExpires"] as const;

/** Change an active key's description, allowlist, scopes or expiry (its secret stays the same). */
export function EditKeyDialog({ apiKey, policy, grantable, viewerKind, onSaved, onClose, onReload }: Props) {
  const [draft, update, discard] = useDraft(`editApiKey:${apiKey.id}`, {
    description: apiKey.description,
    ipAllowlist: [...apiKey.ipAllowlist],
    scopes: [...apiKey.scopes],
    expiry: { mode: "keep", date: "" } as ExpiryChoice,
  });
  const { run, fetching, requestProblem, formProblem } = useFormMutation(UpdateApiKeyDocument, FIELDS);
  const id = useId();
  const fields = formProblem?.fields ?? {};
  const ready =
    draft.description.trim() !== "" &&
    draft.scopes.length > 0 &&
    allowlistIsValid(draft.ipAllowlist, policy.maxAllowlistEntries) &&
    expiryIsValid(draft.expiry, policy);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    const payload = await run(
      {
        input: {
          id: apiKey.id,
          description: draft.description.trim(),
          ipAllowlist: draft.ipAllowlist.map((entry) => entry.trim()),
          scopes: draft.scopes,
          ...expiryInput(draft.expiry),
          expectedVersion: apiKey.version,
        },
      },
      (data) => data.updateApiKey,
    );
    if (payload?.__typename === "ApiKeyPayload") {
      discard();
      onSaved(payload.apiKey.description);
    }
  };

  return (
    <Dialog title={`Edit “${apiKey.description}”`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <input
            id={`${id}-description`}
            value={draft.description}
            maxLength={policy.maxDescriptionLength}
            aria-invalid={fields.description ? true : undefined}
            aria-describedby={fields.description ? `${id}-description-error` : undefined}
            onChange={(event) => update({ description: event.target.value })}
          />
          <FieldMessage id={`${id}-description-error`} message={fields.description} />
        </div>
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
          modes={["keep", "date", "never"]}
          current={apiKey.expiresAt}
        />
        <ScopeCheckboxes
          scopes={policy.scopes}
          grantable={grantable}
          value={draft.scopes}
          onChange={(scopes) => update({ scopes })}
          error={fields.scopes}
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
          <button type="submit" className="primary" disabled={fetching || !ready}>
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
      </form>
    </Dialog>
  );
}
