import { type FormEvent, useId, useState } from "react";
import { AttachCarrierDocument, MoveCarrierDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { ORGANIZATION_TOOL } from "../text/seed";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import type { CarrierSummary, ChangeReport } from "./changeReport";
import { OrganizationPicker, type PickedOrganization } from "./OrganizationPicker";

interface Props {
  carrier: CarrierSummary;
  /** The organization the carrier is in now: set for a move, null to attach. */
  from: { id: string; name: string } | null;
  onDone: (report: ChangeReport) => void;
  onCancel: () => void;
  onReload: () => void;
}

const FIELDS = ["organizationId", "toOrganizationId", "fromOrganizationId", "carrierId"] as const;

/** "Add to existing Organization" (a carrier in none), or move it from its organization to another. */
export function AttachOrMoveForm({ carrier, from, onDone, onCancel, onReload }: Props) {
  const [target, setTarget] = useState<PickedOrganization | null>(null);
  const attach = useFormMutation(AttachCarrierDocument, FIELDS);
  const move = useFormMutation(MoveCarrierDocument, FIELDS);
  const active = from ? move : attach;
  const titleId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    const payload = from
      ? await move.run(
          {
            input: {
              carrierId: carrier.id,
              fromOrganizationId: from.id,
              toOrganizationId: target.id,
              expectedVersion: carrier.version,
            },
          },
          (data) => data.moveCarrierToOrganization,
        )
      : await attach.run(
          { input: { carrierId: carrier.id, organizationId: target.id, expectedVersion: carrier.version } },
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
      />
      {active.formProblem ? <FormProblemAlert problem={active.formProblem} onReload={onReload} /> : null}
      {active.requestProblem ? <RequestProblemAlert problem={active.requestProblem} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={!target || active.fetching}>
          {from ? `Move ${carrier.code}` : `Add ${carrier.code} to organization`}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
