import { useId, useState } from "react";
import { Dialog } from "../ui/Dialog";

interface Props {
  secret: string;
  description: string;
  /** The key's IP allowlist: the command below only works from those addresses. */
  ipAllowlist: readonly string[];
  /** Said beside the secret: what became of a request made with the key (that it never expire). */
  note?: string;
  onDone: () => void;
  returnFocusTo?: () => HTMLElement | null | undefined;
}

/**
 * The secret, once: a copy button, a command that tries the key, and a confirmation that it was
 * stored before the dialog may close (it is never shown again).
 */
export function SecretOnce({ secret, description, ipAllowlist, note, onDone, returnFocusTo }: Props) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const [stored, setStored] = useState(false);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  const command = `curl -sS ${window.location.origin}/graphql -H "Authorization: Bearer ${secret}" -H "Content-Type: application/json" -d '{"query":"{ viewer { kind name scopes } }"}'`;
  return (
    <Dialog title="Copy your new API key" onClose={onDone} closable={stored} returnFocusTo={returnFocusTo}>
      <p>
        <strong>Make sure to copy your key now. You won’t be able to see it again.</strong>
      </p>
      {note ? (
        <p className="notice" role="note">
          {note}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-secret`}>API key for “{description}”</label>
        <div className="secret">
          <input id={`${id}-secret`} readOnly value={secret} spellCheck={false} onFocus={(event) => event.target.select()} />
          <button type="button" onClick={copy}>
            Copy key
          </button>
        </div>
        <p role="status" className="hint">
          {copied === "yes" ? "Copied to the clipboard." : null}
          {copied === "failed" ? "Copying failed: select the key and copy it by hand." : null}
        </p>
      </div>
      <details>
        <summary>Try the key</summary>
        <p className="hint">This command asks the API who the key is; it should answer with the key’s description.</p>
        {ipAllowlist.length > 0 ? (
          <p className="notice notice-warning" role="note">
            This key only works from its allowed addresses ({ipAllowlist.join(", ")}): run the command on a machine with one of
            them, or the API refuses it (HTTP 403) — from this computer too, unless it is among them.
          </p>
        ) : null}
        <pre className="command">{command}</pre>
      </details>
      <label className="choice">
        <input type="checkbox" checked={stored} onChange={(event) => setStored(event.target.checked)} />
        I have copied the key and stored it safely
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={!stored} onClick={onDone}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
