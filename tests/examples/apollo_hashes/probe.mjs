// For each document (a JSON list of texts on stdin), what Apollo Client 4's PersistedQueryLink sends:
// the hash it computes (Apollo on graphql 16, installed here) and the text it prints, and the text
// graphql 17's printer makes of the same document (what Apollo on graphql 17 would hash). No server:
// a last link captures the operation and answers nothing.
import { createHash } from "node:crypto";
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "@apollo/client/utilities";
import { print as print17 } from "graphql-17";
import { Observable } from "rxjs";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));

let captured = null;
const capture = new ApolloLink((operation) => {
  captured = {
    hash: operation.extensions.persistedQuery?.sha256Hash ?? null,
    printed: print(operation.query),
    printed17: print17(operation.query),
  };
  return new Observable((observer) => observer.complete());
});
const client = new ApolloClient({
  link: new PersistedQueryLink({ sha256: (text) => createHash("sha256").update(text).digest("hex") }).concat(capture),
  cache: new InMemoryCache(),
});

const results = [];
for (const text of texts) {
  captured = null;
  const document = gql(text);
  const kind = document.definitions.find((d) => d.kind === "OperationDefinition").operation;
  try {
    if (kind === "query") await client.query({ query: document, fetchPolicy: "no-cache" });
    else if (kind === "mutation") await client.mutate({ mutation: document });
    else await new Promise((done) => client.subscribe({ query: document }).subscribe({ complete: done, error: done }));
  } catch {
    // the capturing link answers nothing: Apollo complains, the operation was sent all the same
  }
  results.push(captured);
}
console.log(JSON.stringify(results));
