// Form contents that outlive a failed request, an expired session and a reload of the tab: each form
// keeps its draft in sessionStorage under its own key, from the first change until it is discarded
// (submitted successfully, or cancelled).
import { useCallback, useEffect, useRef, useState } from "react";

const PREFIX = "tools.draft.";

function read<T>(key: string, initial: T): T {
  try {
    const raw = sessionStorage.getItem(PREFIX + key);
    return raw === null ? initial : ({ ...initial, ...(JSON.parse(raw) as object) } as T);
  } catch {
    return initial;
  }
}

export function hasDraft(key: string): boolean {
  return sessionStorage.getItem(PREFIX + key) !== null;
}

export function useDraft<T extends object>(key: string, initial: T): [T, (change: Partial<T>) => void, () => void] {
  const [value, setValue] = useState<T>(() => read(key, initial));
  // Written only once the user has changed something: an untouched form leaves no draft behind.
  const changed = useRef(false);

  useEffect(() => {
    if (changed.current) sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
  }, [key, value]);

  const update = useCallback((change: Partial<T>) => {
    changed.current = true;
    setValue((old) => ({ ...old, ...change }));
  }, []);
  const discard = useCallback(() => {
    changed.current = false;
    sessionStorage.removeItem(PREFIX + key);
    setValue(initial);
    // `initial` is a fresh object on each render of the caller; the key names the draft.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return [value, update, discard];
}
