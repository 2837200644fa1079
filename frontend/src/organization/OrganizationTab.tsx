import { useCallback, useEffect, useRef, useState } from "react";
import { useClient, useQuery } from "urql";
import { getFragmentData } from "../gql";
import {
  ApiKeyPolicyChangedDocument,
  ApiKeyPolicyFieldsFragmentDoc,
  KeyPolicySettingsFieldsFragmentDoc,
  OrganizationCarriersDocument,
  OrganizationTabDocument,
  type OrganizationTabQuery,
} from "../gql/graphql";
import { useEveryNode } from "../limits/everyPage";
import { usePageSize, WANTED } from "../limits/pageSize";
import { describeRequestError } from "../graphql/problems";
import { useCoalesced, useLive } from "../graphql/useLive";
import { carrierPermission, type Permission } from "../permissions/permissions";
import { useViewer } from "../shell/viewer";
import { ORGANIZATION_TOOL } from "../text/seed";
import { useReturnFocus } from "../ui/focus";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { Permitted } from "../ui/Permitted";
import { AttachOrMoveForm } from "./AttachOrMoveForm";
import type { ChangeReport } from "./changeReport";
import { CreateOrganizationForm } from "./CreateOrganizationForm";
import { DeleteOrganizationDialog } from "./DeleteOrganizationDialog";
import { DetachDialog } from "./DetachDialog";
import { EffectiveChanges } from "./EffectiveChanges";
import { KeyPolicyPanel } from "./KeyPolicyPanel";
import { LeftOrganization } from "./LeftOrganization";
import { RenameOrganizationForm } from "./RenameOrganizationForm";
import { RequestChangeForm } from "../requests/RequestChangeForm";
import { Requested, RequestInstead } from "../requests/RequestInstead";
import { RequestMembershipForm } from "../requests/RequestMembershipForm";
import { useApprovedRequests } from "../requests/useApprovedRequests";

type Open = "create" | "attach" | "move" | "detach" | "rename" | "delete" | null;
// What an administrator may request instead of doing.
type Requestable = "create" | "attach" | "move" | "detach";

// Each control and the operation the API must allow for it.
const OPERATIONS = {
  create: "createOrganization",
  attach: "attachCarrierToOrganization",
  move: "moveCarrierToOrganization",
  detach: "detachCarrierFromOrganization",
  rename: "renameOrganization",
  delete: "deleteOrganization",
} as const;

/** The carrier's organization and its carriers; staff change the structure from here. */
export function OrganizationTab({ code }: { code: string }) {
  const viewer = useViewer();
  const carriersFirst = usePageSize(WANTED.organizationCarriers);
  const [{ data, error, fetching }, refetch] = useQuery({ query: OrganizationTabDocument, variables: { code, carriersFirst } });
  const [open, setOpenState] = useState<Open>(null);
  const [report, setReport] = useState<(ChangeReport & { focus: boolean }) | null>(null);
  // A change the viewer may not make, requested from Support instead; its form gives focus back to the
  // "Request this change" button that opened it when it closes (sent or cancelled).
  const [requesting, setRequesting] = useState<Requestable | null>(null);
  const [requested, setRequested] = useState<string | null>(null);
  const requestFocus = useReturnFocus();
  const request = (what: Requestable) => {
    setRequested(null);
    if (requesting === what) requestFocus.closed();
    else requestFocus.opened();
    setRequesting(requesting === what ? null : what);
  };
  const requestClosed = (summary: string | null) => {
    setRequesting(null);
    if (summary) setRequested(summary);
    requestFocus.closed();
  };
  const reportRef = useRef<HTMLDivElement>(null);
  const returnFocus = useReturnFocus();
  const reload = () => refetch({ requestPolicy: "network-only" });
  // A form or dialog opened by a button gives focus back to that button when it closes; after a change
  // that takes the button away (attach, create, detach, delete), to the report of what changed.
  const setOpen = (next: Open) => {
    if (next) returnFocus.opened();
    else if (open) returnFocus.closed(() => reportRef.current);
    setOpenState(next);
  };
  const done = (next: ChangeReport) => {
    const buttonStays = open === "rename" || open === "move";
    setReport({ ...next, focus: !buttonStays });
    setOpenState(null);
    if (buttonStays) returnFocus.closed(() => reportRef.current);
    reload();
  };
  useEffect(() => {
    if (report?.focus) reportRef.current?.focus();
  }, [report]);
  // Live: the key policy changed (here, in another window, by someone else) is read again.
  const readAgain = useCoalesced(() => refetch({ requestPolicy: "network-only" }));
  const carrierId = data?.carrier?.id ?? null;
  useLive(ApiKeyPolicyChangedDocument, carrierId ? { carrierId } : null, readAgain);
  // ... and so is a request approved meanwhile (the carrier joined, moved or left an organization).
  useApprovedRequests(readAgain);

  if (error && !data) return <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} />;
  if (!data) return <p role="status">{fetching ? "Loading the organization…" : null}</p>;
  const carrier = data.carrier;
  if (!carrier) return <p role="alert">There is no carrier {code} within your reach.</p>;
  const organization = carrier.organization;
  const may = (action: keyof typeof OPERATIONS): Permission =>
    carrierPermission(carrier.permissions, viewer.permissions, OPERATIONS[action]);
  const allowed = (action: keyof typeof OPERATIONS) => may(action).allowed;
  const keyPolicy = (
    <KeyPolicyPanel
      code={carrier.code}
      carrierId={carrier.id}
      effective={getFragmentData(ApiKeyPolicyFieldsFragmentDoc, carrier.apiKeyPolicy)}
      keysNotMeeting={carrier.apiKeyPolicy.keysNotMeetingPolicy ?? null}
      platform={getFragmentData(ApiKeyPolicyFieldsFragmentDoc, data.apiKeyPolicy)}
      organization={
        organization && {
          id: organization.id,
          name: organization.name,
          ownKeyPolicy: getFragmentData(KeyPolicySettingsFieldsFragmentDoc, organization.ownKeyPolicy),
          apiKeyPolicy: getFragmentData(ApiKeyPolicyFieldsFragmentDoc, organization.apiKeyPolicy),
        }
      }
      carrierOwn={getFragmentData(KeyPolicySettingsFieldsFragmentDoc, carrier.ownKeyPolicy)}
      mayEditOrganization={carrierPermission(carrier.permissions, viewer.permissions, "setOrganizationKeyPolicy")}
      mayEditCarrier={carrierPermission(carrier.permissions, viewer.permissions, "setCarrierKeyPolicy")}
      onChanged={(message) => {
        setReport({ message, changes: [], focus: true });
        reload();
      }}
      onReload={reload}
    />
  );

  return (
    <div className="tool">
      <h2>{ORGANIZATION_TOOL.title}</h2>
      <p>{ORGANIZATION_TOOL.summary}</p>
      {report ? (
        <div role="status" className="notice notice-success" ref={reportRef} tabIndex={-1}>
          <p>{report.message}</p>
          <EffectiveChanges changes={report.changes} title="Effective enablements that changed" />
          {report.leftOrganizationId && allowed("delete") ? (
            <LeftOrganization
              id={report.leftOrganizationId}
              onDeleted={(name) => setReport({ message: `Deleted the organization ${name}.`, changes: [], focus: true })}
            />
          ) : null}
        </div>
      ) : null}

      {requested ? <Requested summary={requested} /> : null}
      {organization ? (
        <section aria-labelledby="organization-name" className="panel">
          <h3 id="organization-name">
            {carrier.code} belongs to {organization.name}
          </h3>
          <MemberTable organization={organization} carrierId={carrier.id} />
          <div className="actions">
            {(["rename", "move", "detach", "delete"] as const).map((action) => (
              <Permitted key={action} permission={may(action)}>
                {(control) => (
                  <button
                    type="button"
                    {...control}
                    className={action === "delete" ? "danger" : undefined}
                    onClick={() => setOpen(action)}
                    aria-expanded={action === "rename" || action === "move" ? open === action : undefined}
                  >
                    {
                      {
                        rename: "Rename organization",
                        move: "Move to another organization",
                        detach: "Detach from organization",
                        delete: "Delete organization",
                      }[action]
                    }
                  </button>
                )}
              </Permitted>
            ))}
            <RequestInstead
              permission={may("move")}
              what={`Move ${carrier.code} to another organization`}
              expanded={requesting === "move"}
              onRequest={() => request("move")}
            />
            <RequestInstead
              permission={may("detach")}
              what={`Detach ${carrier.code} from ${organization.name}`}
              expanded={requesting === "detach"}
              onRequest={() => request("detach")}
            />
          </div>
          {requesting === "detach" ? (
            <RequestChangeForm
              title={`Take ${carrier.code} out of ${organization.name}.`}
              propose={() => ({ detachCarrier: { carrierId: carrier.id, expectedVersion: carrier.version } })}
              onDone={requestClosed}
              onCancel={() => requestClosed(null)}
            />
          ) : null}
          {requesting === "move" ? (
            <RequestMembershipForm carrier={carrier} from={organization} onDone={requestClosed} onCancel={() => requestClosed(null)} />
          ) : null}
          {allowed("rename") && open === "rename" ? (
            <RenameOrganizationForm organization={organization} onDone={done} onCancel={() => setOpen(null)} onReload={reload} />
          ) : null}
          {allowed("move") && open === "move" ? (
            <AttachOrMoveForm carrier={carrier} from={organization} onDone={done} onCancel={() => setOpen(null)} onReload={reload} />
          ) : null}
          {allowed("detach") && open === "detach" ? (
            <DetachDialog
              carrier={carrier}
              organization={organization}
              onDone={done}
              onClose={() => setOpen(null)}
              onReload={reload}
              returnFocusTo={() => reportRef.current}
            />
          ) : null}
          {allowed("delete") && open === "delete" ? (
            organization.carriers.totalCount > 0 ? (
              <DeleteBlocked name={organization.name} count={organization.carriers.totalCount} onClose={() => setOpen(null)} />
            ) : (
              <DeleteOrganizationDialog
                organization={organization}
                onClose={() => setOpen(null)}
                onDeleted={(name) => done({ message: `Deleted the organization ${name}.`, changes: [] })}
              />
            )
          ) : null}
        </section>
      ) : null}
      {organization ? keyPolicy : null}
      {organization ? null : (
        <section aria-labelledby="no-organization" className="panel">
          <h3 id="no-organization">{carrier.code} is not in an organization</h3>
          <p>Available actions:</p>
          <ul className="action-cards">
            {(["create", "attach"] as const).map((tool) => (
              <li key={tool}>
                <Permitted permission={may(tool)}>
                  {(control) => (
                    <button type="button" {...control} aria-expanded={open === tool} onClick={() => setOpen(tool)}>
                      {ORGANIZATION_TOOL[tool].title}
                    </button>
                  )}
                </Permitted>
                <span> — {ORGANIZATION_TOOL[tool].description}</span>{" "}
                <RequestInstead
                  permission={may(tool)}
                  what={ORGANIZATION_TOOL[tool].title}
                  expanded={requesting === tool}
                  onRequest={() => request(tool)}
                />
              </li>
            ))}
          </ul>
          <p className="muted">{ORGANIZATION_TOOL.why}</p>
          {requesting === "create" ? (
            <RequestChangeForm
              title={`A new organization containing ${carrier.code}.`}
              extra={{ kind: "name" }}
              propose={({ name }) => ({ createOrganization: { name, carrierIds: [carrier.id] } })}
              onDone={requestClosed}
              onCancel={() => requestClosed(null)}
            />
          ) : null}
          {requesting === "attach" ? (
            <RequestMembershipForm carrier={carrier} from={null} onDone={requestClosed} onCancel={() => requestClosed(null)} />
          ) : null}
          {allowed("create") && open === "create" ? (
            <CreateOrganizationForm carrier={carrier} onDone={done} onCancel={() => setOpen(null)} />
          ) : null}
          {allowed("attach") && open === "attach" ? (
            <AttachOrMoveForm carrier={carrier} from={null} onDone={done} onCancel={() => setOpen(null)} onReload={reload} />
          ) : null}
        </section>
      )}
      {organization ? null : keyPolicy}
    </div>
  );
}

function DeleteBlocked({ name, count, onClose }: { name: string; count: number; onClose: () => void }) {
  return (
    <div role="alert" className="notice">
      <p>
        {name} still has {count} carrier{count === 1 ? "" : "s"}. Move or detach {count === 1 ? "it" : "them"} first;
        an organization can be deleted once it is empty.
      </p>
      <button type="button" onClick={onClose}>
        OK
      </button>
    </div>
  );
}

type Organization = NonNullable<NonNullable<OrganizationTabQuery["carrier"]>["organization"]>;

/** Every carrier in the organization: the tab's first page, then the pages after it (an organization
 * may hold more carriers than the server's page size limit). */
function MemberTable({ organization, carrierId }: { organization: Organization; carrierId: string }) {
  const client = useClient();
  const first = usePageSize(WANTED.organizationCarriers);
  const { id } = organization;
  const next = useCallback(
    async (after: string) => {
      const result = await client.query(OrganizationCarriersDocument, { id, first, after }, { requestPolicy: "network-only" }).toPromise();
      const page = result.data?.organization?.carriers;
      if (!page) throw result.error ?? new Error("The organization is no longer there.");
      return page;
    },
    [client, id, first],
  );
  const { nodes: members, error } = useEveryNode(organization.carriers, next);
  return (
    <>
      <table className="table" aria-busy={members === null}>
        <caption>
          Carriers in {organization.name} ({organization.carriers.totalCount})
        </caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Name</th>
          </tr>
        </thead>
        <tbody>
          {(members ?? organization.carriers.nodes).map((member) => (
            <tr key={member.id} aria-current={member.id === carrierId ? "true" : undefined}>
              <td>{member.code}</td>
              <td>
                {member.name}
                {member.id === carrierId ? " (this carrier)" : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {members === null && !error ? <p role="status">Loading the rest of the carriers…</p> : null}
      {error ? <p role="alert">The rest of the carriers could not be loaded: {error.message}</p> : null}
    </>
  );
}
