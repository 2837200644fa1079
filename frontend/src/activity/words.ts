// The activity log's actions in words, for the filter and the sentences (the code stays beside them).

export const ACTION_WORDS: Record<string, string> = {
  "apiKey.create": "API key created",
  "apiKey.update": "API key changed",
  "apiKey.rotate": "API key rotated",
  "apiKey.revoke": "API key revoked",
  "apiKey.expiring": "API key expiring soon",
  "apiKey.expired": "API key expired",
  "carrier.create": "Carrier created",
  "carrier.update": "Carrier renamed",
  "carrier.attach": "Carrier added to an organization",
  "carrier.move": "Carrier moved to another organization",
  "carrier.detach": "Carrier taken out of its organization",
  "organization.create": "Organization created",
  "organization.rename": "Organization renamed",
  "organization.delete": "Organization deleted",
  "enablement.setForCarrier": "Feature set for a carrier",
  "enablement.setForOrganization": "Feature set for an organization",
  "keyPolicy.setForOrganization": "Key policy set for an organization",
  "keyPolicy.setForCarrier": "Key policy tightened for a carrier",
  "feature.create": "Feature added to the catalogue",
  "feature.update": "Feature changed in the catalogue",
};

/** "API key revoked (apiKey.revoke)"; an action the page does not know, as its code. */
export function actionLabel(action: string): string {
  const words = ACTION_WORDS[action];
  if (words) return `${words} (${action})`;
  if (/^(mutation|query)\./.test(action)) return `Refused: ${action.split(".")[1]} (${action})`;
  return action;
}

/** A snapshot's fields in words, for "changed the API key …: its permissions and expiry". */
export const FIELD_WORDS: Record<string, string> = {
  description: "description",
  scopes: "permissions",
  ipAllowlist: "IP allowlist",
  expiresAt: "expiry",
  revokedAt: "end",
  status: "status",
  name: "name",
  code: "code",
  defaultEnabled: "default",
};
