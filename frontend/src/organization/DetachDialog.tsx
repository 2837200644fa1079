import { DetachCarrierDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import type { CarrierSummary, ChangeReport } from "./changeReport";

interface Props {
  carrier: CarrierSummary;
  organization: { id: string; name: string };
  onDone: (report: ChangeReport) => void;
  onClose: () => void;
  onReload: () => void;
}

/** Take the carrier out of its organization, after saying what that means. */
export function DetachDialog({ carrier, organization, onDone, onClose, onReload }: Props) {
  const { run, fetching, requestProblem, formProblem } = useFormMutation(DetachCarrierDocument);
  const detach = async () => {
    const payload = await run(
      { input: { carrierId: carrier.id, expectedVersion: carrier.version } },
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
    <Dialog title={`Detach ${carrier.code} from ${organization.name}?`} onClose={onClose}>
      <p>
        {carrier.code} will no longer inherit {organization.name}’s settings; features it inherits from the
        organization fall back to their defaults.
      </p>
      {formProblem ? <FormProblemAlert problem={formProblem} onReload={onReload} /> : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      <div className="actions">
        <button type="button" className="danger" onClick={detach} disabled={fetching}>
          Detach {carrier.code}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
