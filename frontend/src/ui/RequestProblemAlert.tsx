import type { RequestProblem } from "../graphql/problems";
import { RetryCountdown } from "./RetryCountdown";

interface Props {
  problem: RequestProblem;
  onRetry?: () => void;
}

/** A request that failed as a whole: what happened and what to do, never a blank screen. */
export function RequestProblemAlert({ problem, onRetry }: Props) {
  return (
    <div role="alert" className="notice notice-error">
      {problem.kind === "rateLimited" ? (
        <p>
          <strong>{problem.message}</strong> <RetryCountdown seconds={problem.retryAfterSeconds} />
        </p>
      ) : (
        <p>
          <strong>{problem.message}</strong>
        </p>
      )}
      {onRetry && problem.kind !== "unauthenticated" ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
