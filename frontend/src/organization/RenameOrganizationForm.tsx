import { type FormEvent, useEffect, useId } from "react";
import { RenameOrganizationDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import type { ChangeReport } from "./changeReport";

interface Props {
  organization: { id: string; name: string; version: number };
  onDone: (report: ChangeReport) => void;
  onCancel: () => void;
  onReload: () => void;
}

/** A new name for the organization; refused with a conflict if someone renamed it meanwhile. */
export function RenameOrganizationForm({ organization, onDone, onCancel, onReload }: Props) {
  const [draft, update, discard] = useDraft(`renameOrganization:${organization.id}`, { name: organization.name });
  const { run, fetching, requestProblem, formProblem } = useFormMutation(RenameOrganizationDocument, ["name"]);
  const id = useId();
  const nameError = formProblem?.fields.name;
  // Opening the form puts the keyboard in its first field.
  useEffect(() => {
    focusSoon(() => document.getElementById(id));
  }, [id]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await run(
      { input: { id: organization.id, name: draft.name.trim(), expectedVersion: organization.version } },
      (data) => data.renameOrganization,
    );
    if (payload?.__typename === "OrganizationPayload") {
      discard();
      onDone({ message: `Renamed ${organization.name} to ${payload.organization.name}.`, changes: [] });
    }
  };
  return (
    <form onSubmit={submit} className="panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Rename {organization.name}</h3>
      <div className="field">
        <label htmlFor={id}>New organization name</label>
        <input
          id={id}
          value={draft.name}
          required
          maxLength={200}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${id}-error` : undefined}
          onChange={(event) => update({ name: event.target.value })}
        />
        <FieldMessage id={`${id}-error`} message={nameError} />
      </div>
      {formProblem ? (
        <FormProblemAlert
          problem={formProblem}
          onReload={() => {
            discard();
            onReload();
          }}
        />
      ) : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={fetching || !draft.name.trim() || draft.name.trim() === organization.name}>
          Save name
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
