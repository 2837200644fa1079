import { type FormEvent, useEffect, useId, useState } from "react";
import { RequestChangeDocument, type RequestChangeInput } from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { FieldMessage } from "../ui/FieldMessage";
import { focusSoon } from "../ui/focus";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { MembershipPreview } from "../organization/MembershipPreview";
import { type ChosenOrganization, OrganizationChoice } from "./OrganizationChoice";

/** What a form asks beyond the reason: a new organization's name, an enablement's new state, the
 * organization a carrier should join (among `choices`, with the effect on its enablements shown). */
export type Extra =
  | { kind: "none" }
  | { kind: "name" }
  | { kind: "state"; current: string }
  | { kind: "organization"; carrier: { id: string; code: string }; moving: boolean; choices: readonly ChosenOrganization[]; more: number };

/** What the form asked, for the proposal. */
export interface Asked {
  name: string;
  state: string;
  organization: ChosenOrganization | null;
  reason: string;
}

export type Proposal = Omit<RequestChangeInput, "reason">;

interface Props {
  /** The change in words, e.g. "Take WSOR out of Great Lakes Group". */
  title: string;
  extra?: Extra;
  /** The proposal, given what the form asked (the name, the state) and the reason. */
  propose: (asked: Asked) => Proposal;
  onDone: (summary: string) => void;
  onCancel: () => void;
}

// The fields a refusal may name: the reason, a new organization's name, the organization chosen.
const FIELDS = ["reason", "name", "organizationId", "toOrganizationId", "fromOrganizationId"] as const;

const STATES = [
  { value: "ENABLED", label: "On" },
  { value: "DISABLED", label: "Off" },
  { value: "INHERIT", label: "Inherit" },
] as const;

/** "Request this change": a restricted change proposed to Support with a reason, instead of made. */
export function RequestChangeForm({ title, extra = { kind: "none" }, propose, onDone, onCancel }: Props) {
  const { run, fetching, requestProblem, formProblem } = useFormMutation(RequestChangeDocument, FIELDS);
  const id = useId();
  const [reason, setReason] = useState("");
  const [name, setName] = useState("");
  const [organization, setOrganization] = useState<ChosenOrganization | null>(null);
  const [state, setState] = useState(extra.kind === "state" ? (STATES.find((s) => s.value !== extra.current)?.value ?? "ENABLED") : "");
  const reasonError = formProblem?.fields.reason;
  const organizationError =
    formProblem?.fields.organizationId ?? formProblem?.fields.toOrganizationId ?? formProblem?.fields.fromOrganizationId;
  const nameError = formProblem?.fields.name;
  useEffect(() => {
    focusSoon(() => document.getElementById(`${id}-first`));
  }, [id]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const asked = { name: name.trim(), state, organization, reason: reason.trim() };
    const payload = await run({ input: { reason: asked.reason, ...propose(asked) } }, (data) => data.requestChange);
    if (payload?.__typename === "ChangeRequestPayload") onDone(payload.changeRequest.summary);
  };
  const ready = reason.trim() && (extra.kind !== "name" || name.trim()) && (extra.kind !== "organization" || organization);
  return (
    <form onSubmit={submit} className="panel request-form" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Request this change from Support</h3>
      <p>{title}</p>
      {extra.kind === "name" ? (
        <div className="field">
          <label htmlFor={`${id}-first`}>Organization name</label>
          <input
            id={`${id}-first`}
            value={name}
            required
            maxLength={200}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${id}-name-error` : undefined}
            onChange={(event) => setName(event.target.value)}
          />
          <FieldMessage id={`${id}-name-error`} message={nameError} />
        </div>
      ) : null}
      {extra.kind === "state" ? (
        <div className="field">
          <label htmlFor={`${id}-first`}>New setting</label>
          <select id={`${id}-first`} value={state} onChange={(event) => setState(event.target.value)}>
            {STATES.filter((s) => s.value !== extra.current).map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {extra.kind === "organization" ? (
        <>
          <OrganizationChoice
            choices={extra.choices}
            moving={extra.moving}
            more={extra.more}
            value={organization}
            onChange={setOrganization}
            firstInputId={`${id}-first`}
            errorId={organizationError ? `${id}-organization-error` : undefined}
          />
          <FieldMessage id={`${id}-organization-error`} message={organizationError} />
          {organization ? <MembershipPreview carrier={extra.carrier} organization={organization} /> : null}
        </>
      ) : null}
      <div className="field">
        <label htmlFor={extra.kind === "none" ? `${id}-first` : `${id}-reason`}>Why you need it (Support reads this)</label>
        <textarea
          id={extra.kind === "none" ? `${id}-first` : `${id}-reason`}
          value={reason}
          required
          maxLength={500}
          rows={3}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-reason-error` : undefined}
          onChange={(event) => setReason(event.target.value)}
        />
        <FieldMessage id={`${id}-reason-error`} message={reasonError} />
      </div>
      {formProblem ? <FormProblemAlert problem={formProblem} /> : null}
      {requestProblem ? <RequestProblemAlert problem={requestProblem} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={fetching || !ready}>
          Send request
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
