import { useId, useState } from "react";
import { FieldMessage } from "../ui/FieldMessage";

export interface ExpiryChoice {
  mode: "default" | "date";
  /** yyyy-mm-dd in the user's calendar, when mode is "date". */
  date: string;
}

interface Props {
  value: ExpiryChoice;
  onChange: (value: ExpiryChoice) => void;
  error: string | undefined;
}

/** When the key stops working: the API's default lifetime, or a chosen day (the end of it, locally). */
export function ExpiryField({ value, onChange, error }: Props) {
  const id = useId();
  const [tomorrow] = useState(() => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
  // TODO(issue 15): read apiKeyPolicy { defaultLifetimeDays maxLifetimeDays nonExpiringAllowed } to say
  // how long the default is, bound the date picker by the maximum and offer "never" where allowed.
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Expiration</legend>
      <label className="choice">
        <input
          type="radio"
          name={`${id}-mode`}
          checked={value.mode === "default"}
          onChange={() => onChange({ ...value, mode: "default" })}
        />
        The standard lifetime set by the key policy
      </label>
      <label className="choice">
        <input
          type="radio"
          name={`${id}-mode`}
          checked={value.mode === "date"}
          onChange={() => onChange({ ...value, mode: "date", date: value.date || tomorrow })}
        />
        On a date I choose
      </label>
      {value.mode === "date" ? (
        <div className="field">
          <label htmlFor={`${id}-date`}>Expires at the end of</label>
          <input
            id={`${id}-date`}
            type="date"
            min={tomorrow}
            value={value.date}
            aria-invalid={error ? true : undefined}
            onChange={(event) => onChange({ ...value, date: event.target.value })}
          />
        </div>
      ) : null}
      <FieldMessage id={`${id}-error`} message={error} />
    </fieldset>
  );
}

/** The instant the API gets: null for its default, else the end of the chosen day in local time. */
export function expiresAtFor(choice: ExpiryChoice): string | null {
  if (choice.mode === "default" || !choice.date) return null;
  const [year, month, day] = choice.date.split("-").map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, day ?? 1, 23, 59, 59).toISOString();
}
