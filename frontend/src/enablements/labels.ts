import type { EnablementSource, EnablementState } from "../gql/graphql";

export const STATE_LABELS: Record<EnablementState, string> = {
  ENABLED: "On",
  DISABLED: "Off",
  INHERIT: "Inherit",
};

export const SOURCE_TEXT: Record<EnablementSource, string> = {
  CARRIER: "Carrier",
  ORGANIZATION: "Organization",
  DEFAULT: "Default",
};
