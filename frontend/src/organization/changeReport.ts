import type { EffectiveChangeRef } from "./EffectiveChanges";

/** What the last change did, shown above the tab until the next one. */
export interface ChangeReport {
  message: string;
  changes: readonly EffectiveChangeRef[];
  /** The organization a carrier just left, when it may now be empty (offer to delete it). */
  leftOrganizationId?: string | null;
}

export interface CarrierSummary {
  id: string;
  code: string;
  name: string;
  version: number;
}
