// Where keyboard focus goes when what held it goes away: a dialog or a form that closes gives focus back
// to the control that opened it, or to a sensible successor when that control is gone (a revoked key's
// buttons, the form's own submit button); it never drops to <body>.
import { useCallback, useRef } from "react";

/** Whether focus has nowhere to be: the focused element was removed, or nothing is focused. */
export function focusIsLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

/** Whether an element can take focus now: in the page, shown, not disabled. */
export function canFocus(element: Element | null | undefined): element is HTMLElement {
  if (!(element instanceof HTMLElement) || !element.isConnected) return false;
  if ((element as HTMLButtonElement).disabled) return false;
  return element.getClientRects().length > 0;
}

/** Focus what `find` gives, once React has committed and the browser laid the page out. */
export function focusSoon(find: () => HTMLElement | null | undefined, onlyIfLost = false): void {
  requestAnimationFrame(() => {
    if (onlyIfLost && !focusIsLost()) return;
    find()?.focus();
  });
}

/**
 * Remember the control that opens something (call `opened()` as it opens), and give focus back to it
 * when that closes (`closed()`), or to `fallback` if the control is gone by then.
 */
export function useReturnFocus() {
  const opener = useRef<HTMLElement | null>(null);
  const opened = useCallback(() => {
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
  }, []);
  const closed = useCallback((fallback?: () => HTMLElement | null | undefined) => {
    const control = opener.current;
    focusSoon(() => (canFocus(control) ? control : fallback?.()));
  }, []);
  return { opened, closed };
}
