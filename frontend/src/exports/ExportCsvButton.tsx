import { useId, useState } from "react";
import { useSessionAccess } from "../auth/sessionAccess";
import type { RequestProblem } from "../graphql/problems";
import type { Permission } from "../permissions/permissions";
import { Permitted } from "../ui/Permitted";
import { RequestProblemAlert } from "../ui/RequestProblemAlert";
import { downloadCsv, type ExportKind } from "./downloadCsv";

interface Props {
  carrier: { id: string; code: string };
  kind: ExportKind;
  /** Carrier.permissions' exportApiKeys / exportActivity. */
  permission: Permission;
  /** What the file holds, in words. */
  note?: string;
  /** The export's filters, as query parameters (the activity export takes the list's). */
  query?: Record<string, string>;
}

const WHAT: Record<ExportKind, string> = { "api-keys": "API keys", activity: "activity", "api-key-usage": "API keys’ usage" };

/** "Export CSV": the carrier's whole list as a file, for audits (the server streams every row). */
export function ExportCsvButton({ carrier, kind, permission, note, query }: Props) {
  const session = useSessionAccess();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [problem, setProblem] = useState<RequestProblem | null>(null);
  const noteId = useId();
  const start = async () => {
    setBusy(true);
    setDone(null);
    setProblem(null);
    const result = await downloadCsv(carrier.id, kind, session.token(), `${carrier.code}-${kind}.csv`, query);
    setBusy(false);
    if (result.ok) setDone(`Downloaded ${result.filename}.`);
    else if (result.problem.kind === "unauthenticated") session.expire();
    else setProblem(result.problem);
  };
  return (
    <div className="export">
      <Permitted permission={permission}>
        {(control) => (
          <button
            type="button"
            {...control}
            aria-describedby={[control["aria-describedby"], note ? noteId : null].filter(Boolean).join(" ") || undefined}
            disabled={control.disabled || busy}
            onClick={start}
          >
            {busy ? "Exporting…" : "Export CSV"}
            <span className="visually-hidden"> of {carrier.code}’s {WHAT[kind]}</span>
          </button>
        )}
      </Permitted>
      {note ? (
        <span id={noteId} className="hint">
          {note}
        </span>
      ) : null}
      <span role="status" className="hint">
        {done}
      </span>
      {problem ? <RequestProblemAlert problem={problem} onRetry={start} /> : null}
    </div>
  );
}
