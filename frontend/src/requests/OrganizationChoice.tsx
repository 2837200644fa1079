import { useId } from "react";

export interface ChosenOrganization {
  id: string;
  name: string;
}

interface Props {
  /** The organizations to offer (in the requester's reach, less the carrier's own). */
  choices: readonly ChosenOrganization[];
  /** Whether the carrier is moving (it is in an organization now) or joining one. */
  moving: boolean;
  /** How many more are in reach than were read (a page's worth is offered). */
  more: number;
  value: ChosenOrganization | null;
  onChange: (organization: ChosenOrganization) => void;
  /** The id to give the first choice, for the form to focus. */
  firstInputId: string;
  /** The id of the message about the choice (the server's refusal), when there is one. */
  errorId?: string;
}

/** Which organization the carrier should join: one radio per organization in the requester's reach. */
export function OrganizationChoice({ choices, moving, more, value, onChange, firstInputId, errorId }: Props) {
  const id = useId();
  return (
    <fieldset aria-describedby={`${id}-help${errorId ? ` ${errorId}` : ""}`} aria-invalid={errorId ? true : undefined}>
      <legend>{moving ? "Move to" : "Organization to join"}</legend>
      <p id={`${id}-help`} className="hint">
        The organizations within your reach: those you administer, or that one of your carriers belongs to.
      </p>
      {choices.map((organization, index) => (
        <label key={organization.id} className="choice">
          <input
            type="radio"
            id={index === 0 ? firstInputId : undefined}
            name={`${id}-organization`}
            checked={value?.id === organization.id}
            onChange={() => onChange(organization)}
          />
          {organization.name}
        </label>
      ))}
      {more > 0 ? <p className="hint">{more} more are within your reach; the first {choices.length} are offered.</p> : null}
    </fieldset>
  );
}
