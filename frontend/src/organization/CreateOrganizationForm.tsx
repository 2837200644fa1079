import { type FormEvent, useId } from "react";
import { CreateOrganizationDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { ORGANIZATION_TOOL } from "../text/seed";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import type { CarrierSummary, ChangeReport } from "./changeReport";

interface Props {
  carrier: CarrierSummary;
  onDone: (report: ChangeReport) => void;
  onCancel: () => void;
}

const FIELDS = ["name", "fromCarrierId"] as const;

/** "Create new Organization": a name, and the carriers it starts with (this carrier, preselected). */
export function CreateOrganizationForm({ carrier, onDone, onCancel }: Props) {
  const [draft, update, discard] = useDraft(`createOrganization:${carrier.code}`, { name: "" });
  const { run, fetching, requestProblem, formProblem } = useFormMutation(CreateOrganizationDocument, FIELDS);
  const nameId = useId();
  const nameError = formProblem?.fields.name;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await run(
      { input: { name: draft.name.trim(), fromCarrierId: carrier.id } },
      (data) => data.createOrganization,
    );
    if (payload?.__typename === "OrganizationPayload") {
      discard();
      onDone({
        message: `Created the organization ${payload.organization.name} with ${carrier.code} in it.`,
        changes: payload.effectiveChanges,
      });
    }
  };

  return (
    <form onSubmit={submit} className="panel" aria-labelledby={`${nameId}-title`}>
      <h3 id={`${nameId}-title`}>{ORGANIZATION_TOOL.create.title}</h3>
      <p className="muted">{ORGANIZATION_TOOL.why}</p>
      <div className="field">
        <label htmlFor={nameId}>Organization name</label>
        <input
          id={nameId}
          value={draft.name}
          required
          maxLength={200}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${nameId}-error` : undefined}
          onChange={(event) => update({ name: event.target.value })}
        />
        <FieldMessage id={`${nameId}-error`} message={nameError} />
      </div>
      <fieldset>
        <legend>Carriers in the new organization</legend>
        <label className="choice">
          <input type="checkbox" checked readOnly disabled />
          {carrier.code} — {carrier.name} (this carrier)
        </label>
        {/* TODO(issue 15): createOrganization(input: {name, carrierIds}) will take several carriers;
            until then the organization starts with this carrier and others are added to it afterwards. */}
        <p className="hint">Other carriers can be added to the organization once it exists.</p>
      </fieldset>
      {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={fetching || !draft.name.trim()}>
          {fetching ? "Creating…" : "Create organization"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
