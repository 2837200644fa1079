import { useId, useState } from "react";
import { DeleteOrganizationDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { Dialog } from "../ui/Dialog";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";

interface Props {
  organization: { id: string; name: string; version: number };
  onDeleted: (name: string) => void;
  onClose: () => void;
}

/** Deleting is for good: type the organization's name to confirm. */
export function DeleteOrganizationDialog({ organization, onDeleted, onClose }: Props) {
  const [typed, setTyped] = useState("");
  const { run, fetching, requestProblem, formProblem } = useFormMutation(DeleteOrganizationDocument);
  const id = useId();
  const confirmed = typed.trim() === organization.name;
  const remove = async () => {
    const payload = await run(
      { input: { id: organization.id, expectedVersion: organization.version } },
      (data) => data.deleteOrganization,
    );
    if (payload?.__typename === "DeleteOrganizationPayload") onDeleted(payload.name);
  };
  return (
    <Dialog title={`Delete ${organization.name}?`} onClose={onClose} initialFocus={id}>
      <p>The organization and its own settings are deleted. This cannot be undone.</p>
      <div className="field">
        <label htmlFor={id}>Type {organization.name} to confirm</label>
        <input id={id} value={typed} autoComplete="off" onChange={(event) => setTyped(event.target.value)} />
      </div>
      {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      <div className="actions">
        <button type="button" className="danger" disabled={!confirmed || fetching} onClick={remove}>
          Delete organization
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
