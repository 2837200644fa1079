import { useState } from "react";
import { useQuery } from "urql";
import { EnablementsChangedDocument, type EnablementState, EnablementsTabDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { useCoalesced, useLive } from "../graphql/useLive";
import { type EffectiveChangeRef, EffectiveChanges } from "../organization/EffectiveChanges";
import { carrierPermission, permissionOf } from "../permissions/permissions";
import { useViewer } from "../shell/viewer";
import { ENABLEMENTS_TOOL } from "../text/seed";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { RequestChangeForm } from "../requests/RequestChangeForm";
import { useApprovedRequests } from "../requests/useApprovedRequests";
import { Requested } from "../requests/RequestInstead";
import { ChangeEnablementDialog, type Target } from "./ChangeEnablementDialog";
import { STATE_LABELS } from "./labels";
import { EnablementTable } from "./EnablementTable";

/** Every feature for the carrier (and its organization): setting, effective value, and its source. */
export function EnablementsTab({ code }: { code: string }) {
  const viewer = useViewer();
  const [{ data, error, fetching }, refetch] = useQuery({ query: EnablementsTabDocument, variables: { code } });
  const [target, setTarget] = useState<Target | null>(null);
  const [requesting, setRequesting] = useState<Target | null>(null);
  const [requested, setRequested] = useState<string | null>(null);
  const [report, setReport] = useState<{ summary: string; changes: readonly EffectiveChangeRef[] } | null>(null);
  const reload = () => refetch({ requestPolicy: "network-only" });
  // Live: a change made elsewhere (staff in another window, an organization's setting) is read again.
  const readAgain = useCoalesced(reload);
  const carrierId = data?.carrier?.id ?? null;
  useLive(EnablementsChangedDocument, carrierId ? { carrierId } : null, readAgain);
  // ... and after a request approved meanwhile (an enablement, or a move that changed what is inherited).
  useApprovedRequests(readAgain);

  if (error && !data) return <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} />;
  if (!data) return <p role="status">{fetching ? "Loading enablements…" : null}</p>;
  const carrier = data.carrier;
  if (!carrier) return <p role="alert">There is no carrier {code} within your reach.</p>;
  const organization = carrier.organization;
  const forCarrier = carrierPermission(carrier.permissions, viewer.permissions, "setCarrierEnablement");
  const forOrganization = permissionOf(viewer.permissions, "setOrganizationEnablement");
  const inheritedFor = (key: string) => {
    const organizationRow = organization?.enablements.find((row) => row.feature.key === key);
    const carrierRow = carrier.enablements.find((row) => row.feature.key === key);
    return organizationRow ? organizationRow.effective : (carrierRow?.feature.defaultEnabled ?? false);
  };

  return (
    <div className="tool">
      <h2>{ENABLEMENTS_TOOL.title}</h2>
      <p>{ENABLEMENTS_TOOL.summary}</p>
      {report ? (
        <div role="status" className="notice notice-success">
          <p>{report.summary}</p>
          <EffectiveChanges changes={report.changes} title="Effective values that changed" />
        </div>
      ) : null}
      <EnablementTable
        caption={`Features for ${carrier.code}`}
        owner={carrier.code}
        level="carrier"
        rows={carrier.enablements}
        permission={forCarrier}
        onChange={(row) =>
          setTarget({ level: "carrier", id: carrier.id, code: carrier.code, row, inherited: inheritedFor(row.feature.key) })
        }
        requesting={requesting?.level === "carrier" ? requesting.row.feature.key : null}
        onRequest={(row) => {
          setRequested(null);
          setRequesting({ level: "carrier", id: carrier.id, code: carrier.code, row, inherited: inheritedFor(row.feature.key) });
        }}
      />
      {organization ? (
        <EnablementTable
          caption={`Organization settings for ${organization.name} (its carriers inherit them unless they override)`}
          owner={organization.name}
          level="organization"
          rows={organization.enablements}
          permission={forOrganization}
          onChange={(row) => setTarget({ level: "organization", id: organization.id, name: organization.name, row })}
          requesting={requesting?.level === "organization" ? requesting.row.feature.key : null}
          onRequest={(row) => {
            setRequested(null);
            setRequesting({ level: "organization", id: organization.id, name: organization.name, row });
          }}
        />
      ) : (
        <p className="muted">{carrier.code} is in no organization: settings come from the carrier or the feature’s default.</p>
      )}
      {requested ? <Requested summary={requested} /> : null}
      {requesting ? (
        <RequestChangeForm
          title={`${requesting.row.feature.name} (${requesting.row.feature.key}) for ${
            requesting.level === "carrier" ? requesting.code : requesting.name
          }, now ${STATE_LABELS[requesting.row.state]}.`}
          extra={{ kind: "state", current: requesting.row.state }}
          propose={({ state, reason }) => {
            const common = { featureKey: requesting.row.feature.key, state: state as EnablementState, reason };
            return requesting.level === "carrier"
              ? { setCarrierEnablement: { carrierId: requesting.id, ...common } }
              : { setOrganizationEnablement: { organizationId: requesting.id, ...common } };
          }}
          onDone={(summary) => {
            setRequesting(null);
            setRequested(summary);
          }}
          onCancel={() => setRequesting(null)}
        />
      ) : null}
      {target && (target.level === "carrier" ? forCarrier : forOrganization).allowed ? (
        <ChangeEnablementDialog
          target={target}
          onClose={() => setTarget(null)}
          onDone={(summary, changes) => {
            setReport({ summary, changes });
            setTarget(null);
            reload();
          }}
        />
      ) : null}
    </div>
  );
}
