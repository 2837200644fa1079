import { type FormEvent, useEffect, useId, useState } from "react";
import { AttachCarrierDocument, MoveCarrierDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { ORGANIZATION_TOOL } from "../text/seed";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import type { CarrierSummary, ChangeReport } from "./changeReport";
import { MembershipPreview } from "./MembershipPreview";
import { OrganizationPicker, type PickedOrganization } from "./OrganizationPicker";

interface Props {
  carrier: CarrierSummary;
  /** The organization the carrier is in now: set for a move, null to attach. */
  from: { id: string; name: string } | null;
  onDone: (report: ChangeReport) => void;
  onCancel: () => void;
  onReload: () => void;
}

const FIELDS = ["organizationId", "toOrganizationId", "fromOrganizationId", "carrierId", "reason"] as const;

/**
 * "Add to existing Organization" (a carrier in none), or move it from its organization to another: the
 * effect on the carrier's enablements is shown before the change, and a move asks why (kept in the log).
 */
export function AttachOrMoveForm({ carrier, from, onDone, onCancel, onReload }: Props) {
  const [target, setTarget] = useState<PickedOrganization | null>(null);
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const attach = useFormMutation(AttachCarrierDocument, FIELDS);
  const move = useFormMutation(MoveCarrierDocument, FIELDS);
  const active = from ? move : attach;
  const titleId = useId();
  const reasonRequired = from !== null;
  const missing = [!target ? "choose the organization" : null, reasonRequired && !reason.trim() ? "give a reason" : null].filter(
    (part) => part !== null,
  );
  const reasonError = active.formProblem?.fields.reason ?? (tried && reasonRequired && !reason.trim() ? "Give a reason: it is kept in the activity log." : null);

  // Opening the form puts the keyboard in its search field.
  useEffect(() => {
    focusSoon(() => document.querySelector<HTMLElement>(`[aria-labelledby="${titleId}"] input[type="search"]`));
  }, [titleId]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (missing.length > 0 || !target) {
      setTried(true);
      focusSoon(() =>
        !target
          ? document.querySelector<HTMLElement>(`[aria-labelledby="${titleId}"] input[type="search"]`)
          : document.getElementById(`${titleId}-reason`),
      );
      return;
    }
    const why = reason.trim() || null;
    const payload = from
      ? await move.run(
          {
            input: {
              carrierId: carrier.id,
              fromOrganizationId: from.id,
              toOrganizationId: target.id,
              expectedVersion: carrier.version,
              reason: why,
            },
          },
          (data) => data.moveCarrierToOrganization,
        )
      : await attach.run(
          { input: { carrierId: carrier.id, organizationId: target.id, expectedVersion: carrier.version, reason: why } },
          (data) => data.attachCarrierToOrganization,
        );
    if (payload?.__typename === "CarrierMembershipPayload") {
      onDone({
        message: from
          ? `Moved ${carrier.code} from ${from.name} to ${target.name}.`
          : `Added ${carrier.code} to ${target.name}.`,
        changes: payload.effectiveChanges,
        leftOrganizationId: payload.previousOrganizationId,
      });
    }
  };

  const title = from ? `Move ${carrier.code} to another organization` : ORGANIZATION_TOOL.attach.title;
  return (
    <form onSubmit={submit} className="panel" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      {from ? (
        <p>
          {carrier.code} is in {from.name} now. Its settings inherited from {from.name} will follow the new organization.
        </p>
      ) : (
        <p className="muted">{ORGANIZATION_TOOL.why}</p>
      )}
      <OrganizationPicker
        label={from ? "Move to" : "Organization to join"}
        excludeId={from?.id}
        value={target}
        onChange={setTarget}
        problem={tried && !target ? "Choose the organization first." : null}
      />
      {target ? <MembershipPreview carrier={carrier} organization={target} /> : null}
      <div className="field">
        <label htmlFor={`${titleId}-reason`}>{reasonRequired ? "Reason for the move (required)" : "Reason (optional)"}</label>
        <textarea
          id={`${titleId}-reason`}
          rows={2}
          maxLength={500}
          value={reason}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={`${titleId}-reason-hint ${titleId}-reason-error`}
          onChange={(event) => setReason(event.target.value)}
        />
        <p id={`${titleId}-reason-hint`} className="hint">
          Kept in the activity log with your name.
        </p>
        <FieldMessage id={`${titleId}-reason-error`} message={reasonError} />
      </div>
      {active.formProblem ? <FormProblemAlert problem={active.formProblem} onReload={onReload} /> : null}
      {active.requestProblem ? <RequestProblemAlert problem={active.requestProblem} /> : null}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={active.fetching}
          aria-disabled={missing.length > 0 ? true : undefined}
          aria-describedby={`${titleId}-missing`}
        >
          {from ? `Move ${carrier.code}` : `Add ${carrier.code} to organization`}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p id={`${titleId}-missing`} className="hint">
        {missing.length > 0 ? `Before ${from ? "moving" : "adding"} ${carrier.code}: ${missing.join("; ")}.` : ""}
      </p>
    </form>
  );
}
