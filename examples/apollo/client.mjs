// Apollo Client 4 for carrier-admin: the whole set-up. Automatic persisted queries with nothing but a
// SHA-256 function (the server answers Apollo's own "PersistedQueryNotFound" and finds the Tools page's
// trusted documents by Apollo's hash), and the schema's possible types for the cache (without them a
// fragment on a union or interface, `... on UserError { message code field }`, is dropped).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

// possible-types.json is generated from the schema (`make schema`) and committed beside schema.graphql.
const possibleTypes = JSON.parse(readFileSync(new URL("../../possible-types.json", import.meta.url), "utf8"));

export function carrierAdminClient(url, credential) {
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  return new ApolloClient({
    link: new PersistedQueryLink({ sha256 }).concat(
      new HttpLink({ uri: url, headers: { Authorization: `Bearer ${credential}` } }),
    ),
    cache: new InMemoryCache({ possibleTypes }),
  });
}
