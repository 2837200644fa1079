import { type FormEvent, useCallback, useId } from "react";
import { useClient, useQuery } from "urql";
import {
  type EnablementFieldsFragment,
  type EnablementState,
  OrganizationImpactDocument,
  SetCarrierEnablementDocument,
  SetOrganizationEnablementDocument,
} from "../gql/graphql";
import { useFormMutation } from "../graphql/useFormMutation";
import { useEveryNode } from "../limits/everyPage";
import { usePageSize, WANTED } from "../limits/pageSize";
import type { EffectiveChangeRef } from "../organization/EffectiveChanges";
import { Dialog } from "../ui/Dialog";
import { FieldMessage } from "../ui/FieldMessage";
import { FormProblemAlert } from "../ui/FormProblemAlert";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { useDraft } from "../ui/useDraft";
import { carrierImpact, type CarrierImpact, organizationImpact } from "./impact";
import { STATE_LABELS } from "./labels";

export type Target =
  | { level: "carrier"; id: string; code: string; row: EnablementFieldsFragment; inherited: boolean }
  | { level: "organization"; id: string; name: string; row: EnablementFieldsFragment };

interface Props {
  target: Target;
  onDone: (summary: string, changes: readonly EffectiveChangeRef[]) => void;
  onClose: () => void;
}

const STATES: EnablementState[] = ["ENABLED", "DISABLED", "INHERIT"];

/** Change one feature's setting with a required reason, seeing first whose effective value will turn. */
export function ChangeEnablementDialog({ target, onDone, onClose }: Props) {
  const owner = target.level === "carrier" ? target.code : target.name;
  const feature = target.row.feature;
  const [draft, update, discard] = useDraft(`enablement:${target.level}:${target.id}:${feature.key}`, {
    state: target.row.state as EnablementState,
    reason: "",
  });
  const carrier = useFormMutation(SetCarrierEnablementDocument, ["reason", "state"]);
  const organization = useFormMutation(SetOrganizationEnablementDocument, ["reason", "state"]);
  const active = target.level === "carrier" ? carrier : organization;
  const id = useId();
  const reasonError = active.formProblem?.fields.reason;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const common = { featureKey: feature.key, state: draft.state, reason: draft.reason.trim() };
    const payload =
      target.level === "carrier"
        ? await carrier.run({ input: { carrierId: target.id, ...common } }, (data) => data.setCarrierEnablement)
        : await organization.run({ input: { organizationId: target.id, ...common } }, (data) => data.setOrganizationEnablement);
    if (payload?.__typename === "EnablementPayload") {
      discard();
      onDone(`${feature.name} is now set to ${STATE_LABELS[draft.state]} for ${owner}.`, payload.effectiveChanges);
    }
  };

  return (
    <Dialog title={`Change ${feature.name} for ${owner}`} onClose={onClose}>
      <form onSubmit={submit}>
        <p className="muted">{feature.description}</p>
        <fieldset>
          <legend>Setting for {owner}</legend>
          {STATES.map((state) => (
            <label key={state} className="choice">
              <input
                type="radio"
                name={`${id}-state`}
                checked={draft.state === state}
                onChange={() => update({ state })}
              />
              {STATE_LABELS[state]}
              {state === "INHERIT" ? (
                <span className="muted">
                  {" "}
                  — {target.level === "carrier" ? "follow the organization, else the default" : "follow the feature’s default"}
                </span>
              ) : null}
            </label>
          ))}
        </fieldset>
        <Impact target={target} next={draft.state} />
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason for this change (required)</label>
          <textarea
            id={`${id}-reason`}
            value={draft.reason}
            required
            maxLength={500}
            rows={3}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${id}-reason-error` : `${id}-reason-hint`}
            onChange={(event) => update({ reason: event.target.value })}
          />
          <p id={`${id}-reason-hint`} className="hint">
            Kept in the activity log with your name.
          </p>
          <FieldMessage id={`${id}-reason-error`} message={reasonError} />
        </div>
        {active.formProblem ? <FormProblemAlert problem={active.formProblem} /> : null}
        {active.requestProblem ? <RequestProblemAlert problem={active.requestProblem} /> : null}
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={active.fetching || !draft.reason.trim() || draft.state === target.row.state}
          >
            Save setting
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Impact({ target, next }: { target: Target; next: EnablementState }) {
  if (target.level === "carrier") {
    return <ImpactList impacts={carrierImpact(target.code, target.row.effective, next, target.inherited)} />;
  }
  return <OrganizationImpactList target={target} next={next} />;
}

function OrganizationImpactList({ target, next }: { target: Extract<Target, { level: "organization" }>; next: EnablementState }) {
  const client = useClient();
  const { id } = target;
  const first = usePageSize(WANTED.organizationCarriers);
  const [{ data, error }] = useQuery({ query: OrganizationImpactDocument, variables: { id, first } });
  // Every carrier counts: the pages after the first, when the organization has more than a page.
  const nextPage = useCallback(
    async (after: string) => {
      const result = await client.query(OrganizationImpactDocument, { id, first, after }, { requestPolicy: "network-only" }).toPromise();
      const page = result.data?.organization?.carriers;
      if (!page) throw result.error ?? new Error("The organization is no longer there.");
      return page;
    },
    [client, id, first],
  );
  const every = useEveryNode(data?.organization?.carriers, nextPage);
  const failed = error ?? every.error;
  if (failed) return <p role="alert">Which carriers this changes could not be worked out: {failed.message}</p>;
  if (!every.nodes) return <p role="status">Working out which carriers this changes…</p>;
  const key = target.row.feature.key;
  const members = every.nodes.flatMap((member) => {
    const setting = member.enablements.find((enablement) => enablement.feature.key === key);
    return setting ? [{ code: member.code, state: setting.state, effective: setting.effective }] : [];
  });
  return <ImpactList impacts={organizationImpact(members, next, target.row.feature.defaultEnabled)} />;
}

function ImpactList({ impacts }: { impacts: CarrierImpact[] }) {
  return (
    <section aria-label="Effect of this change" className="impact" aria-live="polite">
      {impacts.length === 0 ? (
        <p>No carrier’s effective value changes.</p>
      ) : (
        <>
          <p>These carriers’ effective values will change:</p>
          <ul>
            {impacts.map((impact) => (
              <li key={impact.code}>
                {impact.code}: {impact.before ? "On" : "Off"} → {impact.after ? "On" : "Off"}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
