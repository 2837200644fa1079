import { type FormEvent, useId, useState } from "react";
import { DetachCarrierDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import type { CarrierSummary, ChangeReport } from "./changeReport";
import { MembershipPreview } from "./MembershipPreview";

interface Props {
  carrier: CarrierSummary;
  organization: { id: string; name: string };
  onDone: (report: ChangeReport) => void;
  onClose: () => void;
  onReload: () => void;
  returnFocusTo?: () => HTMLElement | null | undefined;
}

/** Take the carrier out of its organization: what that changes first, then why (kept in the log). */
export function DetachDialog({ carrier, organization, onDone, onClose, onReload, returnFocusTo }: Props) {
  const { run, fetching, requestProblem, formProblem } = useFormMutation(DetachCarrierDocument, ["reason"]);
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const id = useId();
  const missing = !reason.trim();
  const reasonError = formProblem?.fields.reason ?? (tried && missing ? "Give a reason: it is kept in the activity log." : null);
  const detach = async (event: FormEvent) => {
    event.preventDefault();
    if (missing) {
      setTried(true);
      focusSoon(() => document.getElementById(id));
      return;
    }
    const payload = await run(
      { input: { carrierId: carrier.id, expectedVersion: carrier.version, reason: reason.trim() } },
      (data) => data.detachCarrierFromOrganization,
    );
    if (payload?.__typename === "CarrierMembershipPayload") {
      onDone({
        message: `${carrier.code} left ${organization.name}.`,
        changes: payload.effectiveChanges,
        leftOrganizationId: payload.previousOrganizationId,
      });
    }
  };
  return (
    <Dialog title={`Detach ${carrier.code} from ${organization.name}?`} onClose={onClose} initialFocus={id} returnFocusTo={returnFocusTo}>
      <form onSubmit={detach} noValidate>
        <p>
          {carrier.code} will no longer inherit {organization.name}’s settings; features it inherits from the organization fall
          back to their defaults.
        </p>
        <MembershipPreview carrier={carrier} organization={null} />
        <div className="field">
          <label htmlFor={id}>Reason for detaching (required)</label>
          <textarea
            id={id}
            rows={2}
            maxLength={500}
            value={reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={`${id}-error`}
            onChange={(event) => setReason(event.target.value)}
          />
          <FieldMessage id={`${id}-error`} message={reasonError} />
        </div>
        {formProblem ? <FormProblemAlert problem={formProblem} onReload={onReload} /> : null}
        {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
        <div className="actions">
          <button
            type="submit"
            className="danger"
            disabled={fetching}
            aria-disabled={missing ? true : undefined}
            aria-describedby={missing ? `${id}-missing` : undefined}
          >
            Detach {carrier.code}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
        {missing ? (
          <p id={`${id}-missing`} className="hint">
            A reason is required.
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
