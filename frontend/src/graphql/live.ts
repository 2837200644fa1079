// Live changes: the page's subscriptions over one WebSocket (graphql-ws, graphql-transport-ws at
// /graphql), authenticated in connection_init with the session's bearer token, naming each document
// by its trusted-document id only. The connection's state, for the shell's indicator, is a tiny store.
import { type Client as WsClient, createClient, type SubscribePayload } from "graphql-ws";
import type { ExecutionResult, SubscriptionForwarder } from "urql";

/** What the indicator says: nothing while no tab watches anything. */
export type LiveState = "idle" | "connecting" | "live" | "reconnecting" | "stopped";

/** The server's close codes after which the session is over (see web/subscriptions.py). */
const SESSION_OVER = new Set([4401, 4403]);
/** Subscription errors the page answers itself (resubscribing, or re-reading the tab). */
export const EXPECTED_ENDINGS = new Set(["SUBSCRIPTION_ENDED", "RATE_LIMITED", "FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"]);

export interface LiveOptions {
  url: string;
  token: () => string;
  /** The server closed the socket for the session (4401, 4403): the page's expired-session path. */
  onUnauthenticated: () => void;
  retryAttempts?: number;
  /** For tests: delays between attempts, and the WebSocket class. */
  retryWait?: (retries: number) => Promise<void>;
  webSocketImpl?: unknown;
}

export interface LiveConnection {
  /** urql's subscriptionExchange `forwardSubscription`. */
  forwardSubscription: SubscriptionForwarder;
  state: () => LiveState;
  onState: (listener: () => void) => () => void;
  /** Closes the socket (sign-out, another session); a later subscription opens a new one. */
  dispose: () => void;
}

/** ws(s)://<this host>/graphql for a page served over http(s). */
export function liveUrl(location: Pick<Location, "protocol" | "host"> = window.location, path = "/graphql"): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}

/** Waits 1 s, 2 s, 4 s … up to 30 s, each with up to a second of jitter so that pages do not return in step. */
export function backoff(retries: number): Promise<void> {
  const delay = Math.min(30_000, 1000 * 2 ** retries) + Math.random() * 1000;
  return new Promise((resolve) => setTimeout(resolve, delay));
}

function closeCode(event: unknown): number | null {
  return typeof event === "object" && event !== null && "code" in event && typeof event.code === "number" ? event.code : null;
}

function codeOfErrors(errors: unknown): string | null {
  if (!Array.isArray(errors)) return null;
  for (const error of errors as { extensions?: { code?: unknown } }[]) {
    if (typeof error?.extensions?.code === "string") return error.extensions.code;
  }
  return null;
}

export function createLiveConnection(options: LiveOptions): LiveConnection {
  const listeners = new Set<() => void>();
  let client: WsClient | null = null;
  let socket: "closed" | "connecting" | "live" | "reconnecting" = "closed";
  let active = 0;
  // A subscription refused, or the retries given up: "not live" until the next subscription starts.
  let stopped = false;
  let current: LiveState = "idle";
  // The subscribe payloads this connection made: their placeholder `query` is left out of the message.
  const named = new WeakSet<object>();

  const update = () => {
    const next: LiveState = stopped
      ? "stopped"
      : active === 0
        ? "idle"
        : socket === "live"
          ? "live"
          : socket === "reconnecting"
            ? "reconnecting"
            : "connecting";
    if (next === current) return;
    current = next;
    for (const listener of listeners) listener();
  };

  const open = (): WsClient => {
    if (client) return client;
    const made = createClient({
      url: options.url,
      connectionParams: () => ({ Authorization: `Bearer ${options.token()}` }),
      lazy: true,
      // Switching tabs ends one subscription and starts the next: keep the socket meanwhile.
      lazyCloseTimeout: 3000,
      retryAttempts: options.retryAttempts ?? 12,
      retryWait: options.retryWait ?? backoff,
      // A refused or ended session is not retried: the page goes back to sign-in instead.
      shouldRetry: (event) => {
        const code = closeCode(event);
        return code !== null && !SESSION_OVER.has(code);
      },
      // graphql-ws insists on a `query` string; a trusted document is named by its id alone, so the
      // placeholder is dropped from the message it sends (the server refuses text that is not the
      // document's own).
      jsonMessageReplacer(this: unknown, key: string, value: unknown) {
        return key === "query" && typeof this === "object" && this !== null && named.has(this) ? undefined : value;
      },
      webSocketImpl: options.webSocketImpl,
      on: {
        connecting: (isRetry) => {
          socket = isRetry || socket === "live" || socket === "reconnecting" ? "reconnecting" : "connecting";
          update();
        },
        connected: () => {
          socket = "live";
          update();
        },
        closed: (event) => {
          const code = closeCode(event);
          socket = active > 0 ? "reconnecting" : "closed";
          if (code !== null && SESSION_OVER.has(code)) {
            socket = "closed";
            options.onUnauthenticated();
          }
          update();
        },
      },
    });
    client = made;
    return made;
  };

  const forwardSubscription: LiveConnection["forwardSubscription"] = (request) => ({
    subscribe(sink) {
      const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: string } } | undefined)?.persistedQuery;
      if (!persisted?.sha256Hash) {
        sink.error(new Error("A subscription must be a generated trusted document (no hash to name it by)."));
        return { unsubscribe: () => undefined };
      }
      const extensions: Record<string, unknown> = { ...request.extensions };
      delete extensions.persistedQuery;
      const payload = {
        documentId: `sha256:${persisted.sha256Hash}`,
        query: "",
        operationName: request.operationName,
        variables: request.variables,
        ...(Object.keys(extensions).length ? { extensions } : {}),
      };
      named.add(payload);
      active += 1;
      stopped = false;
      update();
      let running = true;
      const finish = () => {
        if (!running) return;
        running = false;
        active -= 1;
        update();
      };
      const unsubscribe = open().subscribe(payload as SubscribePayload, {
        next: (value) => sink.next(value as ExecutionResult),
        error: (error) => {
          // An array: the server's answer to this subscription (its errors); else the connection failed.
          const code = Array.isArray(error) ? codeOfErrors(error) : null;
          if (!Array.isArray(error) || !code || !EXPECTED_ENDINGS.has(code)) stopped = true;
          finish();
          sink.error(error);
        },
        complete: () => {
          finish();
          sink.complete();
        },
      });
      return {
        unsubscribe() {
          finish();
          unsubscribe();
        },
      };
    },
  });

  return {
    forwardSubscription,
    state: () => current,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      const closing = client;
      client = null;
      socket = "closed";
      stopped = false;
      update();
      void closing?.dispose();
    },
  };
}
