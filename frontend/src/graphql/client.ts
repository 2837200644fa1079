// The page's GraphQL client: urql, sending only document hashes (trusted documents), with the
// session's bearer token. A request the server refuses for lack of a valid session ends the session.
// Subscriptions go over the live connection's WebSocket (./live.ts), named by the same hashes.
import { persistedExchange } from "@urql/exchange-persisted";
import type { DocumentNode } from "graphql";
import { cacheExchange, Client, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import type { LiveConnection } from "./live";
import { isUnauthenticated } from "./problems";

/** The id codegen embedded in a document (`sha256:<hex>`), as the hex the manifest is keyed by. */
export function documentHash(document: DocumentNode): string {
  const meta = (document as DocumentNode & { __meta__?: { hash?: string } }).__meta__;
  if (!meta?.hash) throw new Error("This document is not a generated trusted document; run `npm run codegen`.");
  return meta.hash.replace(/^sha256:/, "");
}

export interface ClientOptions {
  token: () => string;
  onUnauthenticated: () => void;
  url?: string;
  /** Where subscriptions go; without it the page has none. */
  live?: LiveConnection;
}

export function createApiClient({ token, onUnauthenticated, url = "/graphql", live }: ClientOptions): Client {
  return new Client({
    url,
    // A hash, never the text: the persisted exchange goes first so it hashes the generated document
    // (the cache exchange below rewrites the document and would drop codegen's embedded hash).
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        enableForSubscriptions: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_text, document) => documentHash(document),
      }),
      cacheExchange,
      ...(live ? [subscriptionExchange({ forwardSubscription: live.forwardSubscription })] : []),
      fetchExchange,
    ],
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token()}` } }),
    requestPolicy: "cache-first",
  });
}
