import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { type AnyVariables, type CombinedError, type TypedDocumentNode, useClient } from "urql";
import type { LiveConnection, LiveState } from "./live";

export const LiveContext = createContext<LiveConnection | null>(null);

const NO_LIVE = () => () => undefined;

/** The live connection's state, for the shell's indicator ("idle" outside a signed-in page). */
export function useLiveState(): LiveState {
  const live = useContext(LiveContext);
  return useSyncExternalStore(live ? live.onState : NO_LIVE, () => live?.state() ?? "idle");
}

function codeOf(error: CombinedError): string | null {
  for (const graphQLError of error.graphQLErrors) {
    const code = graphQLError.extensions?.code;
    if (typeof code === "string") return code;
  }
  return null;
}

/** Subscribing again after the server ended a subscription (its feed was interrupted) or limited us. */
const RESUBSCRIBE_MS = 2000;

/**
 * Watches a subscription while the component is shown (variables null: not yet). `onChange` gets each
 * event's data, or null when changes may have been missed (the subscription ended and is made again,
 * or what it watched left the viewer's reach): then the tab reads its data afresh.
 */
export function useLive<Data, Variables extends AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables | null,
  onChange: (event: Data | null) => void,
): void {
  const client = useClient();
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  });
  const key = variables === null ? null : JSON.stringify(variables);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (key === null) return;
    let timer = 0;
    const { unsubscribe } = client.subscription(query, JSON.parse(key) as Variables).subscribe((result) => {
      if (result.data) latest.current(result.data);
      if (!result.error) return;
      const code = codeOf(result.error);
      if (code === "SUBSCRIPTION_ENDED" || code === "RATE_LIMITED") {
        const retryAfter = result.error.graphQLErrors[0]?.extensions?.retryAfter;
        const wait = typeof retryAfter === "number" ? Math.max(retryAfter * 1000, RESUBSCRIBE_MS) : RESUBSCRIBE_MS;
        timer = window.setTimeout(() => {
          latest.current(null);
          setAttempt((n) => n + 1);
        }, wait);
      } else if (code === "FORBIDDEN" || code === "NOT_FOUND") {
        latest.current(null);
      }
    });
    return () => {
      window.clearTimeout(timer);
      unsubscribe();
    };
  }, [client, query, key, attempt]);
}

/** Calls `action` at most once per `ms`, at the end of a burst (a revocation of ten keys: one refetch). */
export function useCoalesced(action: () => void, ms = 250): () => void {
  const latest = useRef(action);
  useEffect(() => {
    latest.current = action;
  });
  const timer = useRef(0);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const [schedule] = useState(() => () => {
    if (timer.current) return;
    timer.current = window.setTimeout(() => {
      timer.current = 0;
      latest.current();
    }, ms);
  });
  return schedule;
}
