import { useCallback, useDeferredValue, useEffect, useId, useRef, useState } from "react";
import { useQuery } from "urql";
import { getFragmentData } from "../gql";
import {
  ApiKeyChangesDocument,
  type ApiKeyFieldsFragment,
  ApiKeyFieldsFragmentDoc,
  ApiKeyPolicyChangedDocument,
  ApiKeyPolicyFieldsFragmentDoc,
  ApiKeysTabDocument,
  type ApiKeysTabQuery,
  ApiKeyUsageChangedDocument,
} from "../gql/graphql";
import { ExportCsvButton } from "../exports/ExportCsvButton";
import { describeRequestError } from "../graphql/problems";
import { useCursorPages } from "../graphql/useCursorPages";
import { useCoalesced, useLive } from "../graphql/useLive";
import { useApprovedRequests } from "../requests/useApprovedRequests";
import { carrierPermission } from "../permissions/permissions";
import { useViewer } from "../shell/viewer";
import { API_KEY_TOOL } from "../text/seed";
import { Permitted } from "../ui/Permitted";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { focusSoon, useReturnFocus } from "../ui/focus";
import { hasDraft } from "../ui/useDraft";
import { ApiKeyList } from "./ApiKeyList";
import { BestPractices } from "./BestPractices";
import { CreateApiKeyForm } from "./CreateApiKeyForm";
import { EveryCarrierKeys } from "./EveryCarrierKeys";
import { isFiltered, KeyFilters, type KeyFilterState, keyQuery, NO_FILTERS } from "./KeyFilters";
import { type KeyDialog, KeyDialogs } from "./KeyDialogs";
import { KeyPermissionsNotice } from "./KeyPermissionsNotice";
import { type LatestKeys, remembered, withLatest } from "./liveKeys";
import { ServiceKeys } from "./ServiceKeys";
import { daysSince } from "./usage";
import { usePageSize, WANTED } from "../limits/pageSize";

type ListedNodes = NonNullable<ApiKeysTabQuery["carrier"]>["apiKeys"]["nodes"];
type ListedKey = ApiKeyFieldsFragment & { usage: ListedNodes[number]["usage"] };

/** A page's keys, unmasked, each with its sparkline's days (read beside the fragment, not in it). */
function listedKeys(nodes: ListedNodes): ListedKey[] {
  return nodes.map((node) => ({ ...getFragmentData(ApiKeyFieldsFragmentDoc, node), usage: node.usage }));
}

/** The carrier's API keys: find them, create one (the secret shown once), edit, rotate, revoke, export. */
export function ApiKeysTab({ code }: { code: string }) {
  const viewer = useViewer();
  const [filters, setFilters] = useState<KeyFilterState>(NO_FILTERS);
  const search = useDeferredValue(filters.search);
  // Viewers who reach several carriers may list the keys of all of them at once (Query.apiKeys).
  const reachesMore = viewer.reachesAllCarriers || viewer.carriers.totalCount > 1;
  const [everyCarrier, setEveryCarrier] = useState(false);
  // A draft left by an expired session or a failed request reopens the form with its contents.
  const [creating, setCreating] = useState(() => hasDraft(`createApiKey:${code}`));
  const [dialog, setDialog] = useState<KeyDialog>(null);
  const [notice, setNotice] = useState<{ text: string; focus: boolean } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const createButton = useRef<HTMLButtonElement>(null);
  const formFocus = useReturnFocus();
  const reasonsId = useId();
  const formId = useId();
  const scopeId = useId();
  // The last answer stays on screen while other filters load (urql starts each new variables empty),
  // so the list does not blink and the search box keeps its focus.
  const [shown, setShown] = useState<ApiKeysTabQuery | undefined>(undefined);
  // "Expiring soon" is the policy's window: the filter is offered once the policy has arrived.
  const wanted = keyQuery({ ...filters, search }, getFragmentData(ApiKeyPolicyFieldsFragmentDoc, shown?.apiKeyPolicy)?.expiringSoonDays ?? 0);
  // Listing every carrier's keys, this carrier's query keeps its first answer (the policy, the permissions).
  const first = usePageSize(WANTED.keys);
  const variables = { code, first, ...(everyCarrier ? keyQuery(NO_FILTERS, 0) : wanted) };
  const pages = useCursorPages<ListedKey>(JSON.stringify(variables));
  const [{ data: fresh, error, fetching }, refetch] = useQuery({
    query: ApiKeysTabDocument,
    variables: { ...variables, after: pages.after, since: daysSince() },
  });
  if (fresh && fresh !== shown) setShown(fresh);
  const data = fresh ?? shown;
  const { reset } = pages;
  const reload = useCallback(() => {
    reset();
    refetch({ requestPolicy: "network-only" });
  }, [reset, refetch]);
  // Live: a key changed (here, in another window, by an integration or the clock) shows as it is now at
  // once, on whichever page it is; the list is read again (new keys, counts, filters) without losing the
  // pages already shown.
  const [latest, setLatest] = useState<LatestKeys>(() => new Map());
  const readAgain = useCoalesced(() => refetch({ requestPolicy: "network-only" }));
  const carrierId = (fresh ?? shown)?.carrier?.id ?? null;
  useLive(ApiKeyChangesDocument, carrierId ? { carrierId } : null, (event) => {
    if (event) setLatest((known) => remembered(known, getFragmentData(ApiKeyFieldsFragmentDoc, event.apiKeyChanges.apiKey)));
    readAgain();
  });
  // The key policy changed (the organization's, or staff's for this carrier): the forms' limits and the
  // keys' policy nudges are read again.
  useLive(ApiKeyPolicyChangedDocument, carrierId ? { carrierId } : null, readAgain);
  // Uses of the carrier's keys counted (an instance's flush, about once a minute): the list is read
  // again, and with it each key's sparkline.
  useLive(ApiKeyUsageChangedDocument, carrierId ? { carrierId } : null, () => readAgain());
  // A request approved meanwhile (a key that never expires now) is read again too.
  useApprovedRequests(readAgain);

  // After a change that took away the control that opened it (a revoked key's buttons), focus goes to
  // the notice that says what happened, right above the list.
  useEffect(() => {
    if (notice?.focus) noticeRef.current?.focus();
  }, [notice]);

  // The platform's policy (service keys, every carrier's keys), and the one this carrier's keys follow
  // (its organization's and staff's tightening within the platform's): its forms offer only that.
  const platformPolicy = getFragmentData(ApiKeyPolicyFieldsFragmentDoc, data?.apiKeyPolicy);
  const policy = getFragmentData(ApiKeyPolicyFieldsFragmentDoc, data?.carrier?.apiKeyPolicy) ?? platformPolicy;
  if (error && !data) return <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} />;
  const carrier = data?.carrier;
  if (data && !carrier) return <p role="alert">There is no carrier {code} within your reach.</p>;

  const may = (operation: string) => carrierPermission(carrier?.permissions, viewer.permissions, operation);
  const create = may("createApiKey");
  const actions = { update: may("updateApiKey"), rotate: may("rotateApiKey"), revoke: may("revokeApiKey"), reasonsId };
  const connection = carrier?.apiKeys;
  // While the next page loads, the pages already seen; the previous answer is not this page.
  const listed = fresh
    ? pages.combine(listedKeys(fresh.carrier?.apiKeys.nodes ?? []))
    : pages.after
      ? pages.earlier
      : listedKeys(connection?.nodes ?? []);
  // Each key's last 30 days as listed (a live change's copy of a key carries none: it keeps these).
  const usage = new Map(listed.map((key) => [key.id, key.usage] as const));
  const keys = withLatest(listed, latest);
  const activeKeys = carrier?.activeKeys.totalCount ?? 0;
  const noRoomForGrace =
    policy && activeKeys >= policy.maxActiveKeysPerCarrier
      ? `${code} has ${activeKeys} active keys, the most the key policy allows: only stopping the old key now leaves room for the new one.`
      : null;
  const changed = (message: string, focusNotice: boolean) => {
    setDialog(null);
    setNotice({ text: message, focus: focusNotice });
    reload();
  };
  const showSecret = (secret: string, description: string, ipAllowlist: readonly string[], note?: string) => {
    setCreating(false);
    setDialog({ kind: "secret", secret, description, ipAllowlist, note });
    reload();
  };
  const openForm = () => {
    if (creating) {
      focusSoon(() => document.querySelector<HTMLElement>(`[id="${formId}"] input`));
      return;
    }
    formFocus.opened();
    setCreating(true);
  };
  const closeForm = () => {
    setCreating(false);
    formFocus.closed(() => createButton.current);
  };

  return (
    <div className="tool">
      <div>
        <h2>{API_KEY_TOOL.title}</h2>
        {carrier && policy ? (
          <p className="muted">
            {code} has {activeKeys} active key{activeKeys === 1 ? "" : "s"} of the {policy.maxActiveKeysPerCarrier} the key policy
            allows.
          </p>
        ) : null}
        <KeyPermissionsNotice id={reasonsId} permissions={{ create, ...actions }} />
        {notice ? (
          <p role="status" className="notice notice-success" ref={noticeRef} tabIndex={-1}>
            {notice.text}
          </p>
        ) : null}
        <div className="toolbar">
          {carrier ? (
            <Permitted permission={create} explainedBy={reasonsId}>
              {(control) => (
                <button
                  type="button"
                  className="primary"
                  ref={createButton}
                  {...control}
                  aria-expanded={creating}
                  aria-controls={creating ? formId : undefined}
                  onClick={openForm}
                >
                  {API_KEY_TOOL.createTitle}
                </button>
              )}
            </Permitted>
          ) : null}
          {carrier ? (
            <ExportCsvButton carrier={carrier} kind="api-keys" permission={may("exportApiKeys")} note={`Every key of ${code}, with times in UTC.`} />
          ) : null}
        </div>
        {creating && carrier && policy ? (
          <div className="beside" id={formId}>
            <CreateApiKeyForm
              owner={{ kind: "carrier", id: carrier.id, code: carrier.code }}
              policy={policy}
              permission={create}
              grantable={viewer.scopes}
              viewerKind={viewer.kind}
              onCreated={showSecret}
              onCancel={closeForm}
              onRefused={reload}
            />
            <BestPractices />
          </div>
        ) : null}
        {policy ? (
          <KeyFilters
            value={filters}
            onChange={setFilters}
            scopes={policy.scopes}
            expiringSoonDays={policy.expiringSoonDays}
            unusedAfterDays={policy.unusedAfterDays}
          />
        ) : null}
        {reachesMore ? (
          <fieldset className="inline-choices">
            <legend>Keys of</legend>
            <label className="choice">
              <input type="radio" name={scopeId} checked={!everyCarrier} onChange={() => setEveryCarrier(false)} />
              {code} only
            </label>
            <label className="choice">
              <input type="radio" name={scopeId} checked={everyCarrier} onChange={() => setEveryCarrier(true)} />
              Every carrier you reach
            </label>
          </fieldset>
        ) : null}
        {everyCarrier && policy ? (
          <EveryCarrierKeys {...wanted} policy={platformPolicy ?? policy} onDialog={setDialog} />
        ) : (
          <>
            {!data && fetching ? <p role="status">Loading API keys…</p> : null}
            {carrier && connection && keys.length === 0 && !fetching ? (
              <p className="empty">
                {connection.totalCount === 0 && !isFiltered(filters)
                  ? "This carrier has no API keys yet. Create your first key for an integration."
                  : "No key matches these filters."}
              </p>
            ) : null}
            {keys.length > 0 && policy ? (
              <>
                <p className="hint" role="status">
                  Showing {keys.length} of {connection?.totalCount ?? keys.length} key{connection?.totalCount === 1 ? "" : "s"}.
                </p>
                <ApiKeyList
                  keys={keys}
                  usage={usage}
                  policy={policy}
                  actionsFor={() => actions}
                  onEdit={(key) => setDialog({ kind: "edit", key })}
                  onRotate={(key) => setDialog({ kind: "rotate", key, noRoomForGrace })}
                  onRevoke={(key, replacedBy) => setDialog({ kind: "revoke", key, replacedBy })}
                />
              </>
            ) : null}
            {connection?.pageInfo.hasNextPage ? (
              <button type="button" disabled={fetching} onClick={() => pages.loadMore(listed, connection.pageInfo.endCursor)}>
                Show more keys
              </button>
            ) : null}
          </>
        )}
        {platformPolicy ? <ServiceKeys policy={platformPolicy} /> : null}
      </div>
      {creating ? null : <BestPractices />}
      {policy ? (
        <KeyDialogs
          dialog={dialog}
          policy={policy}
          grantable={viewer.scopes}
          onClose={() => setDialog(null)}
          onReload={reload}
          onSecret={showSecret}
          onChanged={changed}
          returnFocusTo={() => noticeRef.current ?? createButton.current}
        />
      ) : null}
    </div>
  );
}
