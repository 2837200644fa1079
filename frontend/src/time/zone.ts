// The time zone every time on the page is shown in: the browser's, unless the user chose another. The
// choice is remembered in localStorage (this browser, every session) and applies at once everywhere.
import { useSyncExternalStore } from "react";

const KEY = "tools.timeZone";
const CHANGE = "tools:time-zone";

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Whether the browser knows the zone by this IANA name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function saved(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage refused (a locked-down browser): the browser's zone, unremembered
  }
}

/** The zone the user chose, or the browser's. */
export function chosenTimeZone(): string {
  const zone = saved();
  return zone && isTimeZone(zone) ? zone : browserTimeZone();
}

/** Remember a zone (null: follow the browser again) and show every time in it. */
export function chooseTimeZone(zone: string | null): void {
  try {
    if (zone === null || zone === browserTimeZone()) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, zone);
  } catch {
    // not remembered; still shown for this page
  }
  current = zone ?? browserTimeZone();
  window.dispatchEvent(new Event(CHANGE));
}

let current: string | null = null;
const read = () => (current ??= chosenTimeZone());

function subscribe(listener: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY) return;
    current = null; // chosen in another tab
    listener();
  };
  window.addEventListener(CHANGE, listener);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(CHANGE, listener);
    window.removeEventListener("storage", onStorage);
  };
}

/** The zone to show times in; components re-render when the user chooses another. */
export function useTimeZone(): string {
  return useSyncExternalStore(subscribe, read, read);
}

/** The zone as a non-React caller (a mutation's input) reads it now. */
export function timeZoneNow(): string {
  return read();
}

/** Every zone the browser knows, for the picker (the chosen and UTC included even where not listed). */
export function knownTimeZones(): string[] {
  const listed = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...listed, "UTC"])].sort();
}
