import { useState } from "react";
import { useQuery } from "urql";
import { type ApiKeyScope, ServiceKeysDocument, type ServiceKeysQuery } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { useCursorPages } from "../graphql/useCursorPages";
import { useViewer, useViewerPermission } from "../shell/viewer";
import { Permitted } from "../ui/Permitted";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { ApiKeyList } from "./ApiKeyList";
import { CreateApiKeyForm } from "./CreateApiKeyForm";
import { type KeyDialog, KeyDialogs } from "./KeyDialogs";
import type { KeyPolicy } from "./policy";

// What a service key may hold, as CreateServiceKeyInput.scopes describes it: it only reads. The key
// policy lists every scope but not this subset, so the page takes it from the schema's description.
const SERVICE_KEY_SCOPES: readonly ApiKeyScope[] = ["CARRIER_READ", "ENABLEMENTS_READ"];

type Key = ServiceKeysQuery["apiKeys"]["nodes"][number];

/** Staff only: keys of no carrier for the vendor's other services (list, create, edit, rotate, revoke). */
export function ServiceKeys({ policy }: { policy: KeyPolicy }) {
  // Only those who may issue service keys (staff) can see them: for anyone else there is no section.
  if (!useViewerPermission("createServiceKey").allowed) return null;
  return <ServiceKeysSection policy={policy} />;
}

function ServiceKeysSection({ policy }: { policy: KeyPolicy }) {
  const viewer = useViewer();
  const mayCreate = useViewerPermission("createServiceKey");
  const update = useViewerPermission("updateApiKey");
  const rotate = useViewerPermission("rotateApiKey");
  const revoke = useViewerPermission("revokeApiKey");
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<KeyDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const pages = useCursorPages<Key>("service");
  const [{ data, error, fetching }, refetch] = useQuery({ query: ServiceKeysDocument, variables: { after: pages.after }, pause: !open });
  const reload = () => {
    pages.reset();
    refetch({ requestPolicy: "network-only" });
  };
  const keys = data ? pages.combine(data.apiKeys.nodes) : pages.earlier;
  const active = data?.active.totalCount ?? 0;
  // viewer.permissions does not count the service keys against their limit (the API refuses the
  // request with LimitReachedError): the page checks the policy's number against the active count.
  const create =
    mayCreate.allowed && active >= policy.maxActiveKeysPerCarrier
      ? { allowed: false, reason: `The platform has ${active} active service keys, the most the key policy allows; revoke one first.` }
      : mayCreate;
  const noRoomForGrace =
    active >= policy.maxActiveKeysPerCarrier
      ? `The platform has ${active} active service keys, the most the key policy allows: only stopping the old key now leaves room for the new one.`
      : null;

  return (
    <section className="panel service-keys" aria-labelledby="service-keys-title">
      <h3 id="service-keys-title">Service keys</h3>
      <p className="muted">
        Staff only. Keys of no carrier, for the vendor’s other services: they read every carrier and hold only{" "}
        {SERVICE_KEY_SCOPES.join(" and ")}.
      </p>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Hide service keys" : "Show service keys"}
      </button>
      {open ? (
        <>
          {notice ? (
            <p role="status" className="notice notice-success">
              {notice}
            </p>
          ) : null}
          {error && !data ? <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} /> : null}
          {!creating ? (
            <div className="toolbar">
              <Permitted permission={create}>
                {(control) => (
                  <button type="button" className="primary" {...control} onClick={() => setCreating(true)}>
                    Create a service key
                  </button>
                )}
              </Permitted>
              <span className="hint">
                {active} active of the {policy.maxActiveKeysPerCarrier} the key policy allows.
              </span>
            </div>
          ) : (
            <CreateApiKeyForm
              owner={{ kind: "service" }}
              policy={policy}
              permission={create}
              grantable={SERVICE_KEY_SCOPES}
              viewerKind={viewer.kind}
              onCreated={(secret, description) => {
                setCreating(false);
                setDialog({ kind: "secret", secret, description });
                reload();
              }}
              onCancel={() => setCreating(false)}
              onRefused={reload}
            />
          )}
          {fetching && !data ? <p role="status">Loading service keys…</p> : null}
          {data && keys.length === 0 ? <p className="empty">There are no service keys yet.</p> : null}
          {keys.length > 0 ? (
            <ApiKeyList
              keys={keys}
              caption="Service keys"
              expiringSoonDays={policy.expiringSoonDays}
              actionsFor={() => ({ update, rotate, revoke })}
              onEdit={(key) => setDialog({ kind: "edit", key })}
              onRotate={(key) => setDialog({ kind: "rotate", key, noRoomForGrace })}
              onRevoke={(key) => setDialog({ kind: "revoke", key })}
            />
          ) : null}
          {data?.apiKeys.pageInfo.hasNextPage ? (
            <button type="button" disabled={fetching} onClick={() => pages.loadMore(keys, data.apiKeys.pageInfo.endCursor)}>
              Show more service keys
            </button>
          ) : null}
        </>
      ) : null}
      <KeyDialogs
        dialog={dialog}
        policy={policy}
        grantable={SERVICE_KEY_SCOPES}
        onClose={() => setDialog(null)}
        onReload={reload}
        onSecret={(secret, description) => {
          setDialog({ kind: "secret", secret, description });
          reload();
        }}
        onChanged={(message) => {
          setDialog(null);
          setNotice(message);
          reload();
        }}
      />
    </section>
  );
}
