// The page's GraphQL client: urql, sending only document hashes (trusted documents), with the
// session's bearer token. A request the server refuses for lack of a valid session ends the session.
import { persistedExchange } from "@urql/exchange-persisted";
import type { DocumentNode } from "graphql";
import { cacheExchange, Client, fetchExchange, mapExchange } from "urql";
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
}

export function createApiClient({ token, onUnauthenticated, url = "/graphql" }: ClientOptions): Client {
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
        preferGetForPersistedQueries: false,
        generateHash: async (_text, document) => documentHash(document),
      }),
      cacheExchange,
      fetchExchange,
    ],
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token()}` } }),
    requestPolicy: "cache-first",
  });
}
