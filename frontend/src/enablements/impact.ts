// Which carriers' effective value a change of setting would turn, computed from what the page shows:
// the rule is the API's (carrier setting, else organization setting, else the feature's default).
import type { EnablementState } from "../gql/graphql";

export interface CarrierImpact {
  code: string;
  before: boolean;
  after: boolean;
}

/** A carrier-level setting: the carrier's new effective value. `inherited` is what it would inherit. */
export function carrierImpact(code: string, current: boolean, next: EnablementState, inherited: boolean): CarrierImpact[] {
  const after = next === "INHERIT" ? inherited : next === "ENABLED";
  return after === current ? [] : [{ code, before: current, after }];
}

export interface MemberSetting {
  code: string;
  state: EnablementState;
  effective: boolean;
}

/** An organization-level setting: carriers that inherit it follow; those with their own setting keep it. */
export function organizationImpact(members: readonly MemberSetting[], next: EnablementState, defaultEnabled: boolean): CarrierImpact[] {
  const inheritedValue = next === "INHERIT" ? defaultEnabled : next === "ENABLED";
  return members
    .filter((member) => member.state === "INHERIT" && member.effective !== inheritedValue)
    .map((member) => ({ code: member.code, before: member.effective, after: inheritedValue }));
}
