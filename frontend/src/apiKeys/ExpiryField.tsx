import { useId, useMemo } from "react";
import type { ActorKind } from "../gql/graphql";
import { formatDate } from "../ui/format";
import { FieldMessage } from "../ui/FieldMessage";
import { browserTimeZone, type ExpiryBounds, expiryBounds, type KeyPolicy, mayIssueNonExpiring } from "./policy";

export type ExpiryMode = "default" | "date" | "never" | "keep";

export interface ExpiryChoice {
  mode: ExpiryMode;
  /** yyyy-mm-dd in the user's calendar, when mode is "date": the key ends with that day. */
  date: string;
}

interface Props {
  policy: KeyPolicy;
  viewerKind: ActorKind;
  value: ExpiryChoice;
  onChange: (value: ExpiryChoice) => void;
  /** The server's message (expiresOn, expiresAt, neverExpires, timeZone). */
  error: string | undefined;
  /** Which choices to offer: editing adds "keep"; a rotation's new key has no "never". */
  modes: readonly ExpiryMode[];
  /** For "keep": the key's expiry now. */
  current?: string | null;
  legend?: string;
}

/** When the key stops working: the policy's default lifetime, a day the user picks, or (where the policy allows it) never. */
export function ExpiryField({ policy, viewerKind, value, onChange, error, modes, current, legend = "Expiration" }: Props) {
  const id = useId();
  const bounds = useMemo(() => expiryBounds(policy), [policy]);
  const neverAllowed = mayIssueNonExpiring(policy, viewerKind);
  const local = value.mode === "date" ? expiryProblem(value, bounds, policy) : null;
  const message = local ?? error;
  const choose = (mode: ExpiryMode) => onChange({ mode, date: mode === "date" ? value.date || bounds.min : value.date });
  const radio = (mode: ExpiryMode, label: string, disabled = false, describedBy?: string) => (
    <label className="choice" key={mode}>
      <input
        type="radio"
        name={`${id}-mode`}
        checked={value.mode === mode}
        disabled={disabled}
        aria-describedby={describedBy}
        onChange={() => choose(mode)}
      />
      {label}
    </label>
  );
  return (
    <fieldset aria-describedby={`${id}-help${message ? ` ${id}-error` : ""}`}>
      <legend>{legend}</legend>
      <p id={`${id}-help`} className="hint">
        The key policy allows at most {policy.maxLifetimeDays} days from now (the last possible day is {formatDay(bounds.max)}).
      </p>
      {modes.includes("keep") ? radio("keep", `Keep the current expiry (${current ? formatDate(current) : "never"})`) : null}
      {modes.includes("default")
        ? radio("default", `The policy’s default: ${policy.defaultLifetimeDays} days (until ${formatDate(bounds.defaultEnd.toISOString())})`)
        : null}
      {modes.includes("date") ? radio("date", "On a day I choose") : null}
      {value.mode === "date" ? (
        <div className="field">
          <label htmlFor={`${id}-date`}>Stops working at the end of</label>
          <input
            id={`${id}-date`}
            type="date"
            min={bounds.min}
            max={bounds.max}
            value={value.date}
            aria-invalid={message ? true : undefined}
            aria-describedby={`${id}-zone${message ? ` ${id}-error` : ""}`}
            onChange={(event) => onChange({ ...value, date: event.target.value })}
          />
          <p id={`${id}-zone`} className="hint">
            The end of that day in your time zone ({browserTimeZone()}).
          </p>
        </div>
      ) : null}
      {modes.includes("never") ? (
        <>
          {radio("never", "Never expires", !neverAllowed, neverAllowed ? undefined : `${id}-never`)}
          {neverAllowed ? (
            <p className="badge warn">Keys that don’t expire are a security risk: rotate this one regularly.</p>
          ) : (
            <p id={`${id}-never`} className="hint">
              The key policy does not let you issue keys that never expire.
            </p>
          )}
        </>
      ) : null}
      <FieldMessage id={`${id}-error`} message={message} />
    </fieldset>
  );
}

function formatDay(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1).toLocaleDateString(undefined, { dateStyle: "medium" });
}

/** What is wrong with a chosen day, checked as the user picks it; null when the server will take it. */
export function expiryProblem(choice: ExpiryChoice, bounds: ExpiryBounds, policy: KeyPolicy): string | null {
  if (choice.mode !== "date") return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(choice.date)) return "Choose the day the key stops working.";
  if (choice.date < bounds.min) return `The key must work at least until the end of tomorrow (${formatDay(bounds.min)}).`;
  if (choice.date > bounds.max) {
    return `At most ${policy.maxLifetimeDays} days from now: the last possible day is ${formatDay(bounds.max)}.`;
  }
  return null;
}

export function expiryIsValid(choice: ExpiryChoice, policy: KeyPolicy): boolean {
  return expiryProblem(choice, expiryBounds(policy), policy) === null;
}

/** The input fields a choice sends: none (the default, or unchanged), a day and the time zone it ends in, or never. */
export function expiryInput(choice: ExpiryChoice): { expiresOn?: string; timeZone?: string; neverExpires?: boolean } {
  if (choice.mode === "date") return { expiresOn: choice.date, timeZone: browserTimeZone() };
  if (choice.mode === "never") return { neverExpires: true };
  return {};
}

/** The server's messages about the expiry, whichever input field they name. */
export function expiryError(fields: Record<string, string>): string | undefined {
  return fields.expiresOn ?? fields.expiresAt ?? fields.neverExpires ?? fields.timeZone;
}
