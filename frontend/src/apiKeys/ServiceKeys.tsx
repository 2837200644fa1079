import { useEffect, useRef, useState } from "react";
import { useQuery } from "urql";
import { getFragmentData } from "../gql";
import { type ApiKeyFieldsFragment, ApiKeyFieldsFragmentDoc, ServiceKeysDocument } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { useCursorPages } from "../graphql/useCursorPages";
import { useViewer, useViewerPermission } from "../shell/viewer";
import { Permitted } from "../ui/Permitted";
import { useReturnFocus } from "../ui/focus";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { ApiKeyList } from "./ApiKeyList";
import { CreateApiKeyForm } from "./CreateApiKeyForm";
import { type KeyDialog, KeyDialogs } from "./KeyDialogs";
import type { KeyPolicy } from "./policy";
import { usePageSize, WANTED } from "../limits/pageSize";

type Key = ApiKeyFieldsFragment;

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
  const [notice, setNotice] = useState<{ text: string; focus: boolean } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const createButton = useRef<HTMLButtonElement>(null);
  const formFocus = useReturnFocus();
  // What a service key may hold (it reaches every carrier, so it only reads): the policy says which.
  const serviceScopes = policy.serviceKeyScopes;
  useEffect(() => {
    if (notice?.focus) noticeRef.current?.focus();
  }, [notice]);
  const pages = useCursorPages<Key>("service");
  const first = usePageSize(WANTED.serviceKeys);
  const [{ data, error, fetching }, refetch] = useQuery({ query: ServiceKeysDocument, variables: { first, after: pages.after }, pause: !open });
  const reload = () => {
    pages.reset();
    refetch({ requestPolicy: "network-only" });
  };
  const keys = data ? pages.combine(getFragmentData(ApiKeyFieldsFragmentDoc, data.apiKeys.nodes)) : pages.earlier;
  const active = data?.active.totalCount ?? 0;
  // viewer.permissions does not count the service keys against their limit (the API refuses the
  // request with LimitReachedError): the page checks the policy's number against the active count.
  const create =
    mayCreate.allowed && active >= policy.maxActiveServiceKeys
      ? { allowed: false, reason: `The platform has ${active} active service keys, the most the key policy allows; revoke one first.` }
      : mayCreate;
  const noRoomForGrace =
    active >= policy.maxActiveServiceKeys
      ? `The platform has ${active} active service keys, the most the key policy allows: only stopping the old key now leaves room for the new one.`
      : null;

  return (
    <section className="panel service-keys" aria-labelledby="service-keys-title">
      <h3 id="service-keys-title">Service keys</h3>
      <p className="muted">
        Staff only. Keys of no carrier, for the vendor’s other services: they read every carrier and hold only{" "}
        {serviceScopes.join(" and ")}.
      </p>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Hide service keys" : "Show service keys"}
      </button>
      {open ? (
        <>
          {notice ? (
            <p role="status" className="notice notice-success" ref={noticeRef} tabIndex={-1}>
              {notice.text}
            </p>
          ) : null}
          {error && !data ? <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} /> : null}
          <div className="toolbar">
            <Permitted permission={create}>
              {(control) => (
                <button
                  type="button"
                  className="primary"
                  ref={createButton}
                  {...control}
                  aria-expanded={creating}
                  onClick={() => {
                    if (creating) return;
                    formFocus.opened();
                    setCreating(true);
                  }}
                >
                  Create a service key
                </button>
              )}
            </Permitted>
            <span className="hint">
              {active} active of the {policy.maxActiveServiceKeys} the key policy allows.
            </span>
          </div>
          {creating ? (
            <CreateApiKeyForm
              owner={{ kind: "service" }}
              policy={policy}
              permission={create}
              grantable={serviceScopes}
              viewerKind={viewer.kind}
              onCreated={(secret, description, ipAllowlist) => {
                setCreating(false);
                setDialog({ kind: "secret", secret, description, ipAllowlist });
                reload();
              }}
              onCancel={() => {
                setCreating(false);
                formFocus.closed(() => createButton.current);
              }}
              onRefused={reload}
            />
          ) : null}
          {fetching && !data ? <p role="status">Loading service keys…</p> : null}
          {data && keys.length === 0 ? <p className="empty">There are no service keys yet.</p> : null}
          {keys.length > 0 ? (
            <ApiKeyList
              keys={keys}
              caption="Service keys"
              policy={policy}
              actionsFor={() => ({ update, rotate, revoke })}
              onEdit={(key) => setDialog({ kind: "edit", key })}
              onRotate={(key) => setDialog({ kind: "rotate", key, noRoomForGrace })}
              onRevoke={(key, replacedBy) => setDialog({ kind: "revoke", key, replacedBy })}
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
        grantable={serviceScopes}
        onClose={() => setDialog(null)}
        onReload={reload}
        onSecret={(secret, description, ipAllowlist) => {
          setDialog({ kind: "secret", secret, description, ipAllowlist });
          reload();
        }}
        onChanged={(message, focusNotice) => {
          setDialog(null);
          setNotice({ text: message, focus: focusNotice });
          reload();
        }}
        returnFocusTo={() => noticeRef.current ?? createButton.current}
      />
    </section>
  );
}
