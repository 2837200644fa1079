// What went wrong with a request, in the terms a person acts on: the network, a rate limit (and when
// to retry), a refusal, an expired session, or the server's own failure.
import type { CombinedError } from "urql";

export type RequestProblem =
  | { kind: "network"; message: string }
  | { kind: "rateLimited"; retryAfterSeconds: number; message: string }
  | { kind: "forbidden"; message: string }
  | { kind: "unauthenticated"; message: string }
  | { kind: "server"; message: string; code: string | null };

function codeOf(error: CombinedError): string | null {
  for (const graphQLError of error.graphQLErrors) {
    const code = graphQLError.extensions?.code;
    if (typeof code === "string") return code;
  }
  return null;
}

export function isUnauthenticated(error: CombinedError): boolean {
  const status = (error.response as Response | undefined)?.status;
  return status === 401 || codeOf(error) === "UNAUTHENTICATED";
}

function retryAfter(error: CombinedError): number {
  for (const graphQLError of error.graphQLErrors) {
    const value = graphQLError.extensions?.retryAfter;
    if (typeof value === "number" && value >= 0) return Math.ceil(value);
  }
  const header = (error.response as Response | undefined)?.headers?.get?.("Retry-After");
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : 60;
}

export function describeRequestError(error: CombinedError): RequestProblem {
  const code = codeOf(error);
  if (code === "RATE_LIMITED" || (error.response as Response | undefined)?.status === 429) {
    const seconds = retryAfter(error);
    return { kind: "rateLimited", retryAfterSeconds: seconds, message: "Too many requests right now." };
  }
  if (isUnauthenticated(error)) {
    return { kind: "unauthenticated", message: "Your session has ended. Sign in again to continue." };
  }
  if (code === "FORBIDDEN") {
    return { kind: "forbidden", message: error.graphQLErrors[0]?.message ?? "You may not do this." };
  }
  const status = (error.response as Response | undefined)?.status ?? 0;
  if (status >= 500 && !code) {
    return { kind: "server", code: null, message: `The server had a problem answering (HTTP ${status}). Try again in a moment.` };
  }
  if (error.networkError && !code) {
    return {
      kind: "network",
      message: "The server could not be reached. Check your connection; nothing you typed has been lost.",
    };
  }
  const first = error.graphQLErrors[0];
  return {
    kind: "server",
    code,
    message: first?.message ?? error.networkError?.message ?? "The server could not answer this request.",
  };
}
