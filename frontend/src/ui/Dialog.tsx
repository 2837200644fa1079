import { type ReactNode, useEffect, useId, useRef } from "react";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Closing by Escape or the close button is refused while this is false (e.g. an unconfirmed secret). */
  closable?: boolean;
}

/** A modal dialog (the native <dialog>: focus trap, Escape, the inert page behind it). */
export function Dialog({ title, onClose, children, closable = true }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    return () => dialog?.close?.();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="dialog"
      onCancel={(event) => {
        event.preventDefault();
        if (closable) onClose();
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        {closable ? (
          <button type="button" className="link-button" onClick={onClose} aria-label="Close">
            ×
          </button>
        ) : null}
      </div>
      {children}
    </dialog>
  );
}
