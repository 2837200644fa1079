import { type FormEvent, useId, useState } from "react";
import { getFragmentData } from "../gql";
import { type ApiKeyFieldsFragment, ApiKeyFieldsFragmentDoc, RevokeApiKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Time } from "../time/Time";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";

interface Props {
  apiKey: ApiKeyFieldsFragment;
  /** A rotated key still working through its grace period: ending that early (the same mutation). */
  replacedBy?: string | null;
  onRevoked: (description: string) => void;
  onClose: () => void;
  returnFocusTo?: () => HTMLElement | null | undefined;
}

/**
 * Revoke with a reason (kept in the activity log); the key's next request fails. For a rotated key in
 * its grace period this ends the grace period now: revokeApiKey stops it at once, its replacement stays.
 */
export function RevokeKeyDialog({ apiKey, replacedBy, onRevoked, onClose, returnFocusTo }: Props) {
  const [draft, update, discard] = useDraft(`revokeApiKey:${apiKey.id}`, { reason: "" });
  const { run, fetching, requestProblem, formProblem } = useFormMutation(RevokeApiKeyDocument, ["reason"]);
  const [tried, setTried] = useState(false);
  const id = useId();
  const inGrace = apiKey.status === "ACTIVE" && apiKey.revokedAt !== null;
  const missingReason = draft.reason.trim() === "";
  const reasonError = formProblem?.fields.reason ?? (tried && missingReason ? "Give a reason: it is kept in the activity log." : null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (missingReason) {
      setTried(true);
      focusSoon(() => document.getElementById(id));
      return;
    }
    const payload = await run({ input: { id: apiKey.id, reason: draft.reason.trim() } }, (data) => data.revokeApiKey);
    if (payload?.__typename === "ApiKeyPayload") {
      discard();
      onRevoked(getFragmentData(ApiKeyFieldsFragmentDoc, payload.apiKey).description);
    }
  };
  const action = inGrace ? "Stop the old key now" : "Revoke key";
  return (
    <Dialog title={inGrace ? `End the grace period of “${apiKey.description}”` : `Revoke “${apiKey.description}”`} onClose={onClose} initialFocus={id} returnFocusTo={returnFocusTo}>
      <form onSubmit={submit} noValidate>
        {inGrace && apiKey.revokedAt ? (
          <p>
            The old key <code>{apiKey.hint}</code> would keep working until <Time iso={apiKey.revokedAt} />. It stops on its next
            request instead{replacedBy ? <>; its replacement <code>{replacedBy}</code> keeps working</> : null}. Integrations still
            using the old key will fail.
          </p>
        ) : (
          <p>
            <code>{apiKey.hint}</code> stops working on its next request. Integrations using it will fail until they get a new key.
          </p>
        )}
        <div className="field">
          <label htmlFor={id}>{inGrace ? "Reason for stopping it now (required)" : "Reason for revoking (required)"}</label>
          <textarea
            id={id}
            rows={3}
            maxLength={500}
            required
            value={draft.reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={`${id}-error`}
            onChange={(event) => update({ reason: event.target.value })}
          />
          <FieldMessage id={`${id}-error`} message={reasonError} />
        </div>
        {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
        {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
        <div className="actions">
          <button
            type="submit"
            className="danger"
            disabled={fetching}
            aria-disabled={missingReason ? true : undefined}
            aria-describedby={missingReason ? `${id}-missing` : undefined}
          >
            {action}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
        {missingReason ? (
          <p id={`${id}-missing`} className="hint">
            A reason is required.
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
