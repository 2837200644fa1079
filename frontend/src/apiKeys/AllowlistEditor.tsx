import { useId } from "react";
import { FieldMessage } from "../ui/FieldMessage";
import { allowlistEntryProblem } from "./ipAllowlist";

interface Props {
  entries: string[];
  onChange: (entries: string[]) => void;
  /** Server messages keyed `ipAllowlist[i]` (or `ipAllowlist` for the list as a whole). */
  serverErrors: Record<string, string>;
  /** The most entries one key may list (apiKeyPolicy.maxAllowlistEntries). */
  maxEntries: number;
  /** Say so at an entry left empty too (once the user tried to go on). */
  showEmpty?: boolean;
  /** The key policy's requirement of an allowlist, in words naming who set it (null: not required). */
  required?: string | null;
}

/** One line per address or CIDR range, each checked as it is typed. Empty list: any address. */
export function AllowlistEditor({ entries, onChange, serverErrors, maxEntries, showEmpty = false, required = null }: Props) {
  const id = useId();
  const set = (index: number, value: string) => onChange(entries.map((entry, at) => (at === index ? value : entry)));
  const listError = serverErrors.ipAllowlist;
  const full = entries.length >= maxEntries;
  return (
    <fieldset className="allowlist" aria-describedby={`${id}-help`}>
      <legend>IP allowlist</legend>
      <p id={`${id}-help`} className="hint">
        Addresses and CIDR ranges, IPv4 or IPv6 (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/32), at most {maxEntries}. With
        no entries the key works from any address.
      </p>
      {required ? <p className="hint">{required}</p> : null}
      {entries.length === 0 ? (
        <p className="badge warn">{required ? "Add at least one address or range: the key policy requires it." : "Any address can use this key."}</p>
      ) : null}
      <ol>
        {entries.map((entry, index) => {
          const problem = entry.trim() === "" && !showEmpty ? null : allowlistEntryProblem(entry);
          const message = problem ?? serverErrors[`ipAllowlist[${index}]`] ?? null;
          const inputId = `${id}-entry-${index}`;
          return (
            <li key={index} className="allowlist-entry">
              <label htmlFor={inputId}>Allowed address or range {index + 1}</label>
              <input
                id={inputId}
                value={entry}
                spellCheck={false}
                autoComplete="off"
                aria-invalid={message ? true : undefined}
                aria-describedby={message ? `${inputId}-error` : undefined}
                onChange={(event) => set(index, event.target.value)}
              />
              <button
                type="button"
                className="link-button"
                onClick={() => onChange(entries.filter((_, at) => at !== index))}
              >
                Remove address or range {index + 1}
              </button>
              <FieldMessage id={`${inputId}-error`} message={message} />
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        disabled={full}
        aria-describedby={full ? `${id}-full` : undefined}
        onClick={() => onChange([...entries, ""])}
      >
        Add an address or range
      </button>
      {full ? (
        <p id={`${id}-full`} className="hint">
          A key may list at most {maxEntries} addresses and ranges: use a wider range instead.
        </p>
      ) : null}
      <FieldMessage id={`${id}-list-error`} message={listError} />
    </fieldset>
  );
}

/** Whether every entry is complete and valid (the form can be sent). */
export function allowlistIsValid(entries: readonly string[], maxEntries: number, required = false): boolean {
  if (required && entries.length === 0) return false;
  return entries.length <= maxEntries && entries.every((entry) => allowlistEntryProblem(entry) === null);
}
