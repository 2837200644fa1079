import { useId, useState } from "react";
import { useQuery } from "urql";
import { type ApiKeyFieldsFragment, ApiKeysTabDocument, type ApiKeyStatus } from "../gql/graphql";
import { describeRequestError } from "../graphql/problems";
import { useViewer } from "../shell/viewer";
import { API_KEY_TOOL } from "../text/seed";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { hasDraft } from "../ui/useDraft";
import { ApiKeyList } from "./ApiKeyList";
import { BestPractices } from "./BestPractices";
import { CreateApiKeyForm } from "./CreateApiKeyForm";
import { EditKeyDialog } from "./EditKeyDialog";
import { EXPIRING_SOON_DAYS, isExpiringSoon } from "./nudges";
import { RevokeKeyDialog } from "./RevokeKeyDialog";
import { RotateKeyDialog } from "./RotateKeyDialog";
import { SecretOnce } from "./SecretOnce";

type Dialog =
  | { kind: "edit"; key: ApiKeyFieldsFragment }
  | { kind: "rotate"; key: ApiKeyFieldsFragment }
  | { kind: "revoke"; key: ApiKeyFieldsFragment }
  | { kind: "secret"; secret: string; description: string }
  | null;

/** The carrier's API keys: list and filter them, create one (the secret shown once), rotate, revoke. */
export function ApiKeysTab({ code }: { code: string }) {
  const viewer = useViewer();
  const [status, setStatus] = useState<ApiKeyStatus | "">("");
  const [expiringSoon, setExpiringSoon] = useState(false);
  // A draft left by an expired session or a failed request reopens the form with its contents.
  const [creating, setCreating] = useState(() => hasDraft(`createApiKey:${code}`));
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const statusId = useId();
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ApiKeysTabDocument,
    variables: { code, status: status || null },
  });
  const reload = () => refetch({ requestPolicy: "network-only" });
  const mayWrite = viewer.scopes.includes("KEYS_WRITE");

  if (error && !data) return <RequestProblemAlert problem={describeRequestError(error)} onRetry={reload} />;
  const carrier = data?.carrier;
  if (data && !carrier) return <p role="alert">There is no carrier {code} within your reach.</p>;
  const keys = (carrier?.apiKeys.nodes ?? []).filter((key) => !expiringSoon || isExpiringSoon(key));

  const showSecret = (secret: string, description: string) => {
    setCreating(false);
    setDialog({ kind: "secret", secret, description });
    reload();
  };

  return (
    <div className="tool">
      <div>
        <h2>{API_KEY_TOOL.title}</h2>
        {notice ? (
          <p role="status" className="notice notice-success">
            {notice}
          </p>
        ) : null}
        <div className="toolbar">
          <div className="field inline">
            <label htmlFor={statusId}>Status</label>
            <select id={statusId} value={status} onChange={(event) => setStatus(event.target.value as ApiKeyStatus | "")}>
              <option value="">All</option>
              <option value="ACTIVE">Active</option>
              <option value="EXPIRED">Expired</option>
              <option value="REVOKED">Revoked</option>
            </select>
          </div>
          <label className="choice">
            <input type="checkbox" checked={expiringSoon} onChange={(event) => setExpiringSoon(event.target.checked)} />
            Expiring soon (within {EXPIRING_SOON_DAYS} days)
          </label>
          {mayWrite && carrier && !creating ? (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              {API_KEY_TOOL.createTitle}
            </button>
          ) : null}
        </div>
        {creating && carrier ? (
          <div className="beside">
            <CreateApiKeyForm
              carrier={carrier}
              grantable={viewer.scopes}
              onCreated={showSecret}
              onCancel={() => setCreating(false)}
            />
            <BestPractices />
          </div>
        ) : null}
        {!data && fetching ? <p role="status">Loading API keys…</p> : null}
        {carrier && keys.length === 0 ? (
          <p className="empty">
            {carrier.apiKeys.totalCount === 0 && !status
              ? "This carrier has no API keys yet. Create your first key for an integration."
              : "No key matches these filters."}
          </p>
        ) : null}
        {keys.length > 0 ? (
          <ApiKeyList
            keys={keys}
            onEdit={(key) => setDialog({ kind: "edit", key })}
            onRotate={(key) => setDialog({ kind: "rotate", key })}
            onRevoke={(key) => setDialog({ kind: "revoke", key })}
          />
        ) : null}
      </div>
      {creating ? null : <BestPractices />}
      {dialog?.kind === "edit" ? (
        <EditKeyDialog
          apiKey={dialog.key}
          grantable={viewer.scopes}
          onClose={() => setDialog(null)}
          onReload={reload}
          onSaved={(description) => {
            setDialog(null);
            setNotice(`Saved “${description}”.`);
            reload();
          }}
        />
      ) : null}
      {dialog?.kind === "rotate" ? (
        <RotateKeyDialog apiKey={dialog.key} onRotated={showSecret} onClose={() => setDialog(null)} onReload={reload} />
      ) : null}
      {dialog?.kind === "revoke" ? (
        <RevokeKeyDialog
          apiKey={dialog.key}
          onClose={() => setDialog(null)}
          onRevoked={(description) => {
            setDialog(null);
            setNotice(`Revoked “${description}”.`);
            reload();
          }}
        />
      ) : null}
      {dialog?.kind === "secret" ? (
        <SecretOnce
          secret={dialog.secret}
          description={dialog.description}
          onDone={() => {
            setDialog(null);
            setNotice(`Created “${dialog.description}”. Its secret is no longer shown.`);
          }}
        />
      ) : null}
    </div>
  );
}
