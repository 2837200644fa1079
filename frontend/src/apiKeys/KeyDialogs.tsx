import type { ApiKeyFieldsFragment } from "../gql/graphql";
import { useViewer } from "../shell/viewer";
import { EditKeyDialog } from "./EditKeyDialog";
import type { KeyPolicy } from "./policy";
import { RevokeKeyDialog } from "./RevokeKeyDialog";
import { RotateKeyDialog } from "./RotateKeyDialog";
import { SecretOnce } from "./SecretOnce";

export type KeyDialog =
  | { kind: "edit"; key: ApiKeyFieldsFragment }
  | { kind: "rotate"; key: ApiKeyFieldsFragment; noRoomForGrace: string | null }
  /** Revoke a key; for a rotated key in its grace period, end that now (its replacement's hint, if known). */
  | { kind: "revoke"; key: ApiKeyFieldsFragment; replacedBy?: string | null }
  /** A new key's secret, once; `note`: what became of a request made with it (that it never expire). */
  | { kind: "secret"; secret: string; description: string; ipAllowlist: readonly string[]; note?: string }
  | null;

interface Props {
  dialog: KeyDialog;
  policy: KeyPolicy;
  onClose: () => void;
  /**
   * After a change: what to tell the user (the list reloads), and whether focus goes to that notice:
   * yes when the control that opened the dialog goes away with the change (a revoked key's buttons).
   */
  onChanged: (notice: string, focusNotice: boolean) => void;
  /** A rotation's new secret, to show once. */
  onSecret: (secret: string, description: string, ipAllowlist: readonly string[]) => void;
  onReload: () => void;
  /** The scopes a key may be given here (the viewer's, or a service key's). */
  grantable: Parameters<typeof EditKeyDialog>[0]["grantable"];
  /** Where focus goes when a dialog closes and its opener is gone: the tab's notice. */
  returnFocusTo: () => HTMLElement | null | undefined;
}

/** The dialog open on a list of keys: edit, rotate, revoke (or end a grace period), or the secret shown once. */
export function KeyDialogs({ dialog, policy, onClose, onChanged, onSecret, onReload, grantable, returnFocusTo }: Props) {
  const viewer = useViewer();
  if (dialog?.kind === "edit") {
    return (
      <EditKeyDialog
        apiKey={dialog.key}
        policy={policy}
        grantable={grantable}
        viewerKind={viewer.kind}
        onClose={onClose}
        onReload={onReload}
        onSaved={(description) => onChanged(`Saved “${description}”.`, false)}
        returnFocusTo={returnFocusTo}
      />
    );
  }
  if (dialog?.kind === "rotate") {
    return (
      <RotateKeyDialog
        apiKey={dialog.key}
        policy={policy}
        viewerKind={viewer.kind}
        noRoomForGrace={dialog.noRoomForGrace}
        onRotated={onSecret}
        onClose={onClose}
        onReload={onReload}
        returnFocusTo={returnFocusTo}
      />
    );
  }
  if (dialog?.kind === "revoke") {
    const inGrace = dialog.key.status === "ACTIVE" && dialog.key.revokedAt !== null;
    return (
      <RevokeKeyDialog
        apiKey={dialog.key}
        replacedBy={dialog.replacedBy}
        onClose={onClose}
        onRevoked={(description) =>
          onChanged(inGrace ? `Stopped the old key of “${description}” (${dialog.key.hint}) now: its grace period is over.` : `Revoked “${description}”.`, true)
        }
        returnFocusTo={returnFocusTo}
      />
    );
  }
  if (dialog?.kind === "secret") {
    const { description } = dialog;
    return (
      <SecretOnce
        secret={dialog.secret}
        description={description}
        ipAllowlist={dialog.ipAllowlist}
        note={dialog.note}
        onDone={() => onChanged(`Created “${description}”.${dialog.note ? ` ${dialog.note}` : ""} Its secret is no longer shown.`, true)}
        returnFocusTo={returnFocusTo}
      />
    );
  }
  return null;
}
