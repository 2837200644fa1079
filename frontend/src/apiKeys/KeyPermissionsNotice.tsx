import type { Permission } from "../permissions/permissions";

interface Props {
  id: string;
  permissions: { create: Permission; update: Permission; rotate: Permission; revoke: Permission };
}

const WHAT = { create: "Issuing keys", update: "Editing keys", rotate: "Rotating keys", revoke: "Revoking keys" } as const;

/**
 * Why key operations are off for this carrier, as the API says (its API access is off, the key limit is
 * reached, the viewer lacks a scope): once for the tab, and the disabled buttons in the list point here.
 */
export function KeyPermissionsNotice({ id, permissions }: Props) {
  const refused = (Object.keys(WHAT) as (keyof typeof WHAT)[]).filter((operation) => !permissions[operation].allowed);
  if (refused.length === 0) return null;
  // Operations refused for the same reason share one line.
  const byReason = new Map<string, string[]>();
  for (const operation of refused) {
    const reason = permissions[operation].reason ?? "You may not do this.";
    byReason.set(reason, [...(byReason.get(reason) ?? []), WHAT[operation]]);
  }
  return (
    <div className="notice notice-warning" role="note" aria-label="What you cannot do with these keys now">
      {/* The disabled controls are described by the reasons, not by the note's name. */}
      <div id={id}>
        {[...byReason].map(([reason, operations]) => (
          <p key={reason}>
            <strong>{joinOperations(operations)} unavailable:</strong> {reason}
          </p>
        ))}
      </div>
    </div>
  );
}

function joinOperations(operations: string[]): string {
  const [first = "", ...rest] = operations;
  const words = [first, ...rest.map((operation) => operation.toLowerCase())];
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : first;
}
