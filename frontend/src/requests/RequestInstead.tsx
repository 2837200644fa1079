import { useViewerPermission } from "../shell/viewer";
import type { Permission } from "../permissions/permissions";

interface Props {
  /** The restricted control's permission: the request is offered only where the control is refused. */
  permission: Permission;
  /** What the request is for, read out with the button ("Create new Organization"). */
  what: string;
  expanded: boolean;
  onRequest: () => void;
}

/** Beside a restricted control the viewer may not use: "Request this change", if they may request. */
export function RequestInstead({ permission, what, expanded, onRequest }: Props) {
  const mayRequest = useViewerPermission("requestChange").allowed;
  if (permission.allowed || !mayRequest) return null;
  return (
    <button type="button" className="request-instead" aria-expanded={expanded} onClick={onRequest}>
      Request this change<span className="visually-hidden"> — {what}</span>
    </button>
  );
}

/** After a request: what was asked, and where its answer will appear. */
export function Requested({ summary }: { summary: string }) {
  return (
    <div role="status" className="notice notice-success">
      <p>
        Requested from Support: {summary}. The answer will appear under Requests.
      </p>
    </div>
  );
}
