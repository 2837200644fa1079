import { useId, useMemo } from "react";
import type { ActorKind } from "../gql/graphql";
import { formatDay, startOfDay, addDaysTo } from "../time/days";
import { formatDate, formatExact } from "../time/format";
import { useTimeZone } from "../time/zone";
import { FieldMessage } from "../ui/FieldMessage";
import { type ExpiryBounds, expiryBounds, type KeyPolicy, lifetimeChoices, lifetimeEnd, mayIssueNonExpiring, setBy } from "./policy";

export type ExpiryMode = "days" | "date" | "never" | "keep";

export interface ExpiryChoice {
  mode: ExpiryMode;
  /** For "days": how many days from now (one of the policy's lifetimes). */
  days: number;
  /** For "date": yyyy-mm-dd in the zone the page shows; the key ends with that day. */
  date: string;
}

/** The policy's default lifetime, chosen. */
export function defaultExpiry(policy: KeyPolicy): ExpiryChoice {
  return { mode: "days", days: policy.defaultLifetimeDays, date: "" };
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
  /** The id the form gives the date input, to focus it when the user must fix it. */
  dateInputId?: string;
}

/**
 * When the key stops working: the policy's lifetimes (GitHub's 7, 30, 60, 90 days, within the maximum),
 * a day the user picks, or (where the policy allows this viewer) never; each shows the date it ends.
 */
export function ExpiryField({ policy, viewerKind, value, onChange, error, modes, current, legend = "Expiration", dateInputId }: Props) {
  const id = useId();
  const zone = useTimeZone();
  const bounds = useMemo(() => expiryBounds(policy, zone), [policy, zone]);
  const neverAllowed = mayIssueNonExpiring(policy, viewerKind);
  const local = expiryProblem(value, bounds, policy);
  const message = local ?? error;
  const dateId = dateInputId ?? `${id}-date`;
  const choose = (change: Partial<ExpiryChoice>) => {
    const next = { ...value, ...change };
    onChange(next.mode === "date" && !next.date ? { ...next, date: bounds.min } : next);
  };
  const radio = (key: string, checked: boolean, label: string, change: Partial<ExpiryChoice>, disabled = false, describedBy?: string) => (
    <label className="choice" key={key}>
      <input
        type="radio"
        name={`${id}-mode`}
        checked={checked}
        disabled={disabled}
        aria-describedby={describedBy}
        onChange={() => choose(change)}
      />
      {label}
    </label>
  );
  const dayEnd = value.mode === "date" && !local ? endOfDay(value.date, zone) : null;
  return (
    <fieldset aria-describedby={`${id}-help${message ? ` ${id}-error` : ""}`}>
      <legend>{legend}</legend>
      <p id={`${id}-help`} className="hint">
        The key policy allows at most {policy.maxLifetimeDays} days from now ({setBy(policy.maxLifetimeDaysSource)}; the last
        possible day is {formatDay(bounds.max)}).
      </p>
      <div className="expiry-choices">
        {modes.includes("keep")
          ? radio("keep", value.mode === "keep", `Keep the current expiry (${current ? formatDate(current, zone) : "never"})`, { mode: "keep" })
          : null}
        {modes.includes("days")
          ? lifetimeChoices(policy).map((days) =>
              radio(
                `days-${days}`,
                value.mode === "days" && value.days === days,
                `${days} days, until ${formatDate(lifetimeEnd(days).toISOString(), zone)}${days === policy.defaultLifetimeDays ? " (the policy’s default)" : ""}`,
                { mode: "days", days },
              ),
            )
          : null}
        {modes.includes("date") ? radio("date", value.mode === "date", "On a day I choose", { mode: "date" }) : null}
        {modes.includes("never") ? radio("never", value.mode === "never", "Never expires", { mode: "never" }, !neverAllowed, neverAllowed ? undefined : `${id}-never`) : null}
      </div>
      {value.mode === "date" ? (
        <div className="field">
          <label htmlFor={dateId}>Stops working at the end of</label>
          <input
            id={dateId}
            type="date"
            min={bounds.min}
            max={bounds.max}
            value={value.date}
            aria-invalid={message ? true : undefined}
            aria-describedby={`${id}-zone${message ? ` ${id}-error` : ""}`}
            onChange={(event) => onChange({ ...value, date: event.target.value })}
          />
          <p id={`${id}-zone`} className="hint">
            The end of that day in {zone}
            {dayEnd ? `: ${formatExact(dayEnd, zone)}` : ""}.
          </p>
        </div>
      ) : null}
      {modes.includes("never") ? (
        neverAllowed ? (
          value.mode === "never" ? <p className="badge warn">Keys that don’t expire are a security risk: rotate this one regularly.</p> : null
        ) : (
          <p id={`${id}-never`} className="hint">
            The key policy does not let you issue keys that never expire
            {policy.nonExpiringAllowed ? "" : ` (${setBy(policy.nonExpiringAllowedSource)})`}.
          </p>
        )
      ) : null}
      <FieldMessage id={`${id}-error`} message={message} />
    </fieldset>
  );
}

/** The last instant of `day` in `zone` (ISO). */
function endOfDay(day: string, zone: string): string | null {
  const next = startOfDay(addDaysTo(day, 1), zone);
  return next ? new Date(Date.parse(next) - 1000).toISOString() : null;
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

export function expiryIsValid(choice: ExpiryChoice, policy: KeyPolicy, zone: string): boolean {
  return expiryProblem(choice, expiryBounds(policy, zone), policy) === null;
}

/** When the key chosen would stop working (ISO), null for never; for "keep", the key's current expiry. */
export function expiryEnd(choice: ExpiryChoice, zone: string, current: string | null = null): string | null {
  if (choice.mode === "days") return lifetimeEnd(choice.days).toISOString();
  if (choice.mode === "date") return endOfDay(choice.date, zone);
  if (choice.mode === "keep") return current;
  return null;
}

/**
 * The input fields a choice sends: a lifetime as the moment it ends (or, where sending nothing means the
 * default, nothing for the policy's default: the server counts it from its own clock), a day and the
 * zone it ends in, never, or nothing (keep).
 */
export function expiryInput(
  choice: ExpiryChoice,
  policy: KeyPolicy,
  zone: string,
  { implicitDefault = true, now = new Date() }: { implicitDefault?: boolean; now?: Date } = {},
): { expiresAt?: string; expiresOn?: string; timeZone?: string; neverExpires?: boolean } {
  if (choice.mode === "days") {
    if (implicitDefault && choice.days === policy.defaultLifetimeDays) return {};
    // A lifetime at the policy's very maximum is sent a minute short of it: the server's clock may be ahead.
    const days = Math.min(choice.days, policy.maxLifetimeDays);
    const end = lifetimeEnd(days, now).getTime() - (days === policy.maxLifetimeDays ? 60_000 : 0);
    return { expiresAt: new Date(end).toISOString() };
  }
  if (choice.mode === "date") return { expiresOn: choice.date, timeZone: zone };
  if (choice.mode === "never") return { neverExpires: true };
  return {};
}

/** The server's messages about the expiry, whichever input field they name. */
export function expiryError(fields: Record<string, string>): string | undefined {
  return fields.expiresOn ?? fields.expiresAt ?? fields.neverExpires ?? fields.timeZone;
}

/** A stored draft's choice, made whole (drafts of an earlier page version said "default"). */
export function restoredExpiry(choice: Partial<ExpiryChoice> | undefined, policy: KeyPolicy): ExpiryChoice {
  const known: ExpiryMode[] = ["days", "date", "never", "keep"];
  if (!choice?.mode || !known.includes(choice.mode)) return defaultExpiry(policy);
  return { mode: choice.mode, days: choice.days ?? policy.defaultLifetimeDays, date: choice.date ?? "" };
}
