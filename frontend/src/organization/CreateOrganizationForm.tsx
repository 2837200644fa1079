import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { CreateOrganizationDocument } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { ORGANIZATION_TOOL } from "../text/seed";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import { type CarrierChoice, CarrierChoices, errorsByCarrier } from "./CarrierChoices";
import type { CarrierSummary, ChangeReport } from "./changeReport";

interface Props {
  carrier: CarrierSummary;
  onDone: (report: ChangeReport) => void;
  onCancel: () => void;
}

const FIELDS = ["name", "carrierIds"] as const;

/** "Create new Organization": a name, and the carriers it contains (this carrier preselected), at once. */
export function CreateOrganizationForm({ carrier, onDone, onCancel }: Props) {
  const current = useMemo<CarrierChoice>(() => ({ id: carrier.id, code: carrier.code, name: carrier.name }), [carrier]);
  const [draft, update, discard] = useDraft(`createOrganization:${carrier.code}`, {
    name: "",
    listed: [current],
    chosen: [current.id],
  });
  const { run, fetching, requestProblem, formProblem } = useFormMutation(CreateOrganizationDocument, FIELDS);
  // The ids as last sent: the server names a carrier at fault by its index among them.
  const [sent, setSent] = useState<string[]>([]);
  const nameId = useId();
  const fields = formProblem?.fields ?? {};
  const nameError = fields.name;
  // Opening the form puts the keyboard in its first field.
  useEffect(() => {
    focusSoon(() => document.getElementById(nameId));
  }, [nameId]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const carrierIds = draft.listed.filter((listed) => draft.chosen.includes(listed.id)).map((listed) => listed.id);
    setSent(carrierIds);
    const payload = await run({ input: { name: draft.name.trim(), carrierIds } }, (data) => data.createOrganization);
    if (payload?.__typename === "OrganizationPayload") {
      discard();
      const codes = payload.carriers.map((member) => member.code);
      onDone({
        message: `Created the organization ${payload.organization.name}${codes.length ? ` with ${codes.join(", ")} in it` : ""}.`,
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
      <CarrierChoices
        listed={draft.listed}
        chosen={draft.chosen}
        onChange={(listed, chosen) => update({ listed, chosen })}
        errors={errorsByCarrier(fields, sent)}
      />
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
