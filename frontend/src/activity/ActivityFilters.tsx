import { useId } from "react";
import type { ActivityOutcome } from "../gql/graphql";
import { addDaysTo, startOfDay } from "../time/days";
import { actionLabel } from "./words";

export interface ActivityFilterState {
  action: string;
  outcome: ActivityOutcome | "";
  actorId: string;
  /** yyyy-mm-dd, the first day shown (from its start, in the zone shown). */
  from: string;
  /** yyyy-mm-dd, the last day shown (to its end, in the zone shown). */
  to: string;
  includeOrganization: boolean;
}

export const ALL_ACTIVITY: ActivityFilterState = { action: "", outcome: "", actorId: "", from: "", to: "", includeOrganization: true };

interface Props {
  value: ActivityFilterState;
  onChange: (value: ActivityFilterState) => void;
  /** Actions and actors seen so far: the API takes them by exact name and id, and lists neither. */
  actions: readonly string[];
  actors: readonly { id: string; name: string }[];
  organizationName: string | null;
}

/** Which events to show; the server filters (Query.activity's arguments). */
export function ActivityFilters({ value, onChange, actions, actors, organizationName }: Props) {
  const id = useId();
  const set = (change: Partial<ActivityFilterState>) => onChange({ ...value, ...change });
  return (
    <div className="toolbar filters" role="search" aria-label="Filter activity">
      <div className="field inline">
        <label htmlFor={`${id}-action`}>Action</label>
        <select id={`${id}-action`} value={value.action} onChange={(event) => set({ action: event.target.value })}>
          <option value="">All actions</option>
          {actions.map((name) => (
            <option key={name} value={name}>
              {actionLabel(name)}
            </option>
          ))}
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-outcome`}>Outcome</label>
        <select id={`${id}-outcome`} value={value.outcome} onChange={(event) => set({ outcome: event.target.value as ActivityOutcome | "" })}>
          <option value="">All outcomes</option>
          <option value="SUCCEEDED">Succeeded</option>
          <option value="REFUSED">Refused</option>
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-who`}>Who</label>
        <select id={`${id}-who`} value={value.actorId} onChange={(event) => set({ actorId: event.target.value })}>
          <option value="">Anyone</option>
          {actors.map((actor) => (
            <option key={actor.id} value={actor.id}>
              {actor.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" value={value.from} max={value.to || undefined} onChange={(event) => set({ from: event.target.value })} />
      </div>
      <div className="field inline">
        <label htmlFor={`${id}-to`}>Until</label>
        <input id={`${id}-to`} type="date" value={value.to} min={value.from || undefined} onChange={(event) => set({ to: event.target.value })} />
      </div>
      {organizationName ? (
        <label className="choice">
          <input
            type="checkbox"
            checked={value.includeOrganization}
            onChange={(event) => set({ includeOrganization: event.target.checked })}
          />
          Include {organizationName}’s own events
        </label>
      ) : null}
    </div>
  );
}

/** The query's filter arguments: days become [start of `from`, start of the day after `to`) in `zone`. */
export function activityArguments(state: ActivityFilterState, zone: string) {
  return {
    action: state.action || null,
    outcome: state.outcome || null,
    actorId: state.actorId || null,
    since: startOfDay(state.from, zone),
    until: /^\d{4}-\d{2}-\d{2}$/.test(state.to) ? startOfDay(addDaysTo(state.to, 1), zone) : null,
    includeOrganization: state.includeOrganization,
  };
}
