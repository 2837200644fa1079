import { type FormEvent, useId } from "react";
import { type ApiKeyFieldsFragment, RevokeApiKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";

interface Props {
  apiKey: ApiKeyFieldsFragment;
  onRevoked: (description: string) => void;
  onClose: () => void;
}

/** Revoke with a reason (kept in the activity log); the key's next request fails. */
export function RevokeKeyDialog({ apiKey, onRevoked, onClose }: Props) {
  const [draft, update, discard] = useDraft(`revokeApiKey:${apiKey.id}`, { reason: "" });
  const { run, fetching, requestProblem, formProblem } = useFormMutation(RevokeApiKeyDocument, ["reason"]);
  const id = useId();
  const reasonError = formProblem?.fields.reason;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await run({ input: { id: apiKey.id, reason: draft.reason.trim() } }, (data) => data.revokeApiKey);
    if (payload?.__typename === "ApiKeyPayload") {
      discard();
      onRevoked(payload.apiKey.description);
    }
  };
  return (
    <Dialog title={`Revoke “${apiKey.description}”`} onClose={onClose}>
      <form onSubmit={submit}>
        <p>
          {apiKey.hint} stops working on its next request. Integrations using it will fail until they get a new key.
        </p>
        <div className="field">
          <label htmlFor={id}>Reason for revoking (required)</label>
          <textarea
            id={id}
            rows={3}
            maxLength={500}
            required
            value={draft.reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-error` : undefined}
            onChange={(event) => update({ reason: event.target.value })}
          />
          <FieldMessage id={`${id}-error`} message={reasonError} />
        </div>
        {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
        {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
        <div className="actions">
          <button type="submit" className="danger" disabled={fetching || !draft.reason.trim()}>
            Revoke key
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
