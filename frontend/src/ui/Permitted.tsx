import { type ReactNode, useId } from "react";
import type { Permission } from "../permissions/permissions";
import { CONTACT_SUPPORT_HINT } from "../text/seed";

interface Props {
  /** From the API (viewer.permissions or Carrier.permissions), never guessed. */
  permission: Permission;
  /** An element on the page that already says why (a notice for several controls): no hint of its own. */
  explainedBy?: string;
  children: (control: { disabled: boolean; "aria-describedby"?: string }) => ReactNode;
}

/**
 * A control the API may refuse: visible to everyone, disabled when the API says the request would be
 * refused, with the API's reason next to it (and read out with it) and the "contact Support" hint.
 */
export function Permitted({ permission, explainedBy, children }: Props) {
  const hintId = useId();
  if (permission.allowed) return <>{children({ disabled: false })}</>;
  if (explainedBy) return <>{children({ disabled: true, "aria-describedby": explainedBy })}</>;
  const reason = permission.reason ?? "You may not do this.";
  // The API's reasons for restricted functions already point to Support; the others get the hint.
  const hint = /support/i.test(reason) ? reason : `${reason} ${CONTACT_SUPPORT_HINT}`;
  return (
    <span className="permitted">
      {children({ disabled: true, "aria-describedby": hintId })}
      <span id={hintId} className="hint">
        {hint}
      </span>
    </span>
  );
}
