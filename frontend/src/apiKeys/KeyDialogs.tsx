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
  | { kind: "revoke"; key: ApiKeyFieldsFragment }
  | { kind: "secret"; secret: string; description: string }
  | null;

interface Props {
  dialog: KeyDialog;
  policy: KeyPolicy;
  onClose: () => void;
  /** After a change: what to tell the user; the list reloads. */
  onChanged: (notice: string) => void;
  /** A rotation's new secret, to show once. */
  onSecret: (secret: string, description: string) => void;
  onReload: () => void;
  /** The scopes a key may be given here (the viewer's, or a service key's). */
  grantable: Parameters<typeof EditKeyDialog>[0]["grantable"];
}

/** The dialog open on a list of keys: edit, rotate, revoke, or the secret shown once. */
export function KeyDialogs({ dialog, policy, onClose, onChanged, onSecret, onReload, grantable }: Props) {
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
        onSaved={(description) => onChanged(`Saved “${description}”.`)}
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
      />
    );
  }
  if (dialog?.kind === "revoke") {
    return <RevokeKeyDialog apiKey={dialog.key} onClose={onClose} onRevoked={(description) => onChanged(`Revoked “${description}”.`)} />;
  }
  if (dialog?.kind === "secret") {
    const { description } = dialog;
    return <SecretOnce secret={dialog.secret} description={description} onDone={() => onChanged(`Created “${description}”. Its secret is no longer shown.`)} />;
  }
  return null;
}
