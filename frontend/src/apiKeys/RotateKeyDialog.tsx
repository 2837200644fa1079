import { type FormEvent, useId, useState } from "react";
import { getFragmentData } from "../gql";
import { type ActorKind, type ApiKeyFieldsFragment, ApiKeyFieldsFragmentDoc, RotateApiKeyDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useTimeZone } from "../time/zone";
import { type ExpiryChoice, ExpiryField, defaultExpiry, expiryError, expiryInput, expiryIsValid } from "./ExpiryField";
import { allowlistRule, describeGrace, graceChoices, type KeyPolicy, setBy } from "./policy";

interface Props {
  apiKey: ApiKeyFieldsFragment;
  policy: KeyPolicy;
  viewerKind: ActorKind;
  /**
   * Why a grace period cannot be had now, if so: the old key stays active through it, so the new one
   * needs room under the active key limit beside it.
   */
  noRoomForGrace: string | null;
  onRotated: (secret: string, description: string, ipAllowlist: readonly string[]) => void;
  onClose: () => void;
  onReload: () => void;
  returnFocusTo?: () => HTMLElement | null | undefined;
}

const FIELDS = ["gracePeriodSeconds", "expiresAt", "expiresOn", "timeZone"] as const;

/** A new key with the same settings and the expiry the user chooses; the old one keeps working for the chosen grace period. */
export function RotateKeyDialog({ apiKey, policy, viewerKind, noRoomForGrace, onRotated, onClose, onReload, returnFocusTo }: Props) {
  const choices = graceChoices(policy);
  // A rotation's new key keeps this key's scopes and allowlist: where the policy no longer allows them,
  // the server refuses the rotation, so say so first.
  const unmet = [
    ...apiKey.scopes.filter((scope) => !policy.allowedScopes.includes(scope)).map((scope) => `${scope} is not allowed.`),
    ...(apiKey.ipAllowlist.length === 0 && policy.allowlistRequired ? [allowlistRule(policy) ?? ""] : []),
  ];
  const [grace, setGrace] = useState<number>(() => (noRoomForGrace ? 0 : (choices.find((seconds) => seconds === 86_400) ?? choices[0] ?? 0)));
  const [expiry, setExpiry] = useState<ExpiryChoice>(() => defaultExpiry(policy));
  const zone = useTimeZone();
  const { run, fetching, requestProblem, formProblem } = useFormMutation(RotateApiKeyDocument, FIELDS);
  const id = useId();
  const fields = formProblem?.fields ?? {};
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await run(
      { input: { id: apiKey.id, gracePeriodSeconds: grace, ...expiryInput(expiry, policy, zone) } },
      (data) => data.rotateApiKey,
    );
    if (payload?.__typename === "RotateApiKeyPayload") {
      const replacement = getFragmentData(ApiKeyFieldsFragmentDoc, payload.apiKey);
      onRotated(payload.secret, replacement.description, replacement.ipAllowlist);
    }
  };
  return (
    <Dialog title={`Rotate “${apiKey.description}”`} onClose={onClose} returnFocusTo={returnFocusTo}>
      <form onSubmit={submit} noValidate>
        <p>A new key with the same description, scopes and allowlist replaces {apiKey.hint}. Its secret is shown once.</p>
        {unmet.length > 0 ? (
          <p className="notice" role="note">
            The new key would not meet the key policy: {unmet.join(" ")} Edit this key first, then rotate it.
          </p>
        ) : null}
        <fieldset aria-describedby={`${id}-grace-limit${noRoomForGrace ? ` ${id}-no-room` : ""}`}>
          <legend>When should the old key stop working?</legend>
          <p id={`${id}-grace-limit`} className="hint">
            At most {describeGrace(policy.maxGracePeriodSeconds).replace(/^Keep it working for /, "").replace(/^Stop the old key now$/, "no grace period")} (
            {setBy(policy.maxGracePeriodSecondsSource)}).
          </p>
          {choices.map((seconds) => (
            <label key={seconds} className="choice">
              <input
                type="radio"
                name={`${id}-grace`}
                checked={grace === seconds}
                disabled={seconds > 0 && noRoomForGrace !== null}
                onChange={() => setGrace(seconds)}
              />
              {describeGrace(seconds)}
            </label>
          ))}
          {noRoomForGrace ? (
            <p id={`${id}-no-room`} className="hint">
              {noRoomForGrace}
            </p>
          ) : null}
          <FieldMessage id={`${id}-grace-error`} message={fields.gracePeriodSeconds} />
        </fieldset>
        <ExpiryField
          policy={policy}
          viewerKind={viewerKind}
          value={expiry}
          onChange={setExpiry}
          error={expiryError(fields)}
          modes={["days", "date"]}
          legend="When should the new key expire?"
        />
        {formProblem ? <FormProblemAlert problem={formProblem} onReload={onReload} /> : null}
        {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={fetching || !expiryIsValid(expiry, policy, zone)}>
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
