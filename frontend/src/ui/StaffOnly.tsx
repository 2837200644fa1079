import { type ReactNode, useId } from "react";
import { CONTACT_SUPPORT_HINT } from "../text/seed";

interface Props {
  /** From the API (viewer), never guessed: whether this person may use the control. */
  allowed: boolean;
  /** Why it is off, e.g. "Only platform staff can change organization structure." */
  reason: string;
  children: (control: { disabled: boolean; "aria-describedby"?: string }) => ReactNode;
}

/**
 * A staff-only control: visible to everyone, disabled for those the API says may not use it, with the
 * reason and the "contact Support" hint next to it (and read out with it).
 */
export function StaffOnly({ allowed, reason, children }: Props) {
  const hintId = useId();
  if (allowed) return <>{children({ disabled: false })}</>;
  return (
    <span className="staff-only">
      {children({ disabled: true, "aria-describedby": hintId })}
      <span id={hintId} className="hint">
        {reason} {CONTACT_SUPPORT_HINT}
      </span>
    </span>
  );
}
