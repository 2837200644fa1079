import { type FormEvent, useId, useState } from "react";
import { type ApiKeyFieldsFragment, RotateApiKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";

// How long the old key keeps working, as Stripe's "roll key" offers it.
// TODO(issue 15): drop the choices above apiKeyPolicy.maxGracePeriodSeconds once the API says it.
const GRACE_PERIODS = [
  { seconds: 0, label: "Stop the old key now" },
  { seconds: 3600, label: "In 1 hour" },
  { seconds: 86_400, label: "In 24 hours" },
  { seconds: 604_800, label: "In 7 days" },
] as const;

interface Props {
  apiKey: ApiKeyFieldsFragment;
  onRotated: (secret: string, description: string) => void;
  onClose: () => void;
  onReload: () => void;
}

/** A new key with the same settings; the old one keeps working for the chosen grace period. */
export function RotateKeyDialog({ apiKey, onRotated, onClose, onReload }: Props) {
  const [grace, setGrace] = useState<number>(86_400);
  const { run, fetching, requestProblem, formProblem } = useFormMutation(RotateApiKeyDocument, ["gracePeriodSeconds"]);
  const id = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await run({ input: { id: apiKey.id, gracePeriodSeconds: grace } }, (data) => data.rotateApiKey);
    if (payload?.__typename === "RotateApiKeyPayload") onRotated(payload.secret, payload.apiKey.description);
  };
  return (
    <Dialog title={`Rotate “${apiKey.description}”`} onClose={onClose}>
      <form onSubmit={submit}>
        <p>
          A new key with the same description, scopes, allowlist and expiry replaces {apiKey.hint}. Its secret is shown once.
        </p>
        <fieldset>
          <legend>When should the old key stop working?</legend>
          {GRACE_PERIODS.map((period) => (
            <label key={period.seconds} className="choice">
              <input type="radio" name={`${id}-grace`} checked={grace === period.seconds} onChange={() => setGrace(period.seconds)} />
              {period.label}
            </label>
          ))}
          <FieldMessage id={`${id}-grace-error`} message={formProblem?.fields.gracePeriodSeconds} />
        </fieldset>
        {formProblem ? <FormProblemAlert problem={formProblem} onReload={onReload} /> : null}
        {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={fetching}>
            Rotate key
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
