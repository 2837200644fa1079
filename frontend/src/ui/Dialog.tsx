import { type ReactNode, useEffect, useId, useRef } from "react";
import { canFocus, focusSoon } from "./focus";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Closing by Escape or the close button is refused while this is false (e.g. an unconfirmed secret). */
  closable?: boolean;
  /** Where focus goes when the dialog closes and the control that opened it is gone. */
  returnFocusTo?: () => HTMLElement | null | undefined;
  /** The id of the field to start in (the one thing the dialog asks for); else its first control. */
  initialFocus?: string;
}

/**
 * A modal dialog (the native <dialog>: focus trap, Escape, the inert page behind it). When it closes,
 * focus goes back to the control that opened it (or `returnFocusTo`), unless the page has already put
 * focus somewhere on purpose (a notice saying what changed).
 */
export function Dialog({ title, onClose, children, closable = true, returnFocusTo, initialFocus }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const fallback = useRef(returnFocusTo);
  useEffect(() => {
    fallback.current = returnFocusTo;
  });
  useEffect(() => {
    const dialog = ref.current;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    if (dialog && !dialog.open) dialog.showModal?.();
    if (initialFocus) document.getElementById(initialFocus)?.focus();
    return () => {
      dialog?.close?.();
      focusSoon(() => (canFocus(opener) ? opener : fallback.current?.()), true);
    };
    // Opened once: the field to start in is the one asked for when it opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
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
