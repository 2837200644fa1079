import type { FormProblem } from "../graphql/userErrors";

interface Props {
  problem: FormProblem;
  onReload?: () => void;
}

/** The form-wide part of a typed error; field messages are shown at their fields. */
export function FormProblemAlert({ problem, onReload }: Props) {
  const fieldCount = Object.keys(problem.fields).length;
  if (!problem.general && !problem.conflict && fieldCount === 0) return null;
  return (
    <div role="alert" className="notice notice-error">
      {problem.general ? <p>{problem.general}</p> : null}
      {!problem.general && fieldCount > 0 ? <p>Please correct the highlighted field{fieldCount > 1 ? "s" : ""}.</p> : null}
      {problem.conflict ? (
        <p>
          Someone else changed this in the meantime.{" "}
          {onReload ? (
            <button type="button" onClick={onReload}>
              Reload the latest version
            </button>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
