// A partner integration with Apollo Client 4 and an API key: list your carrier's keys page by page and
// label one of them; typed errors (`... on UserError`) are printed with the input field they name.
//
//   cd examples/apollo && npm ci
//   CARRIER_ADMIN_URL=https://admin.example.com/graphql CARRIER_ADMIN_API_KEY=cak_live_... \
//     node keys.mjs [<key hint> <new description>]
//
// Every operation goes as an automatic persisted query: its hash first; on the server's first
// "PersistedQueryNotFound" Apollo sends the text once, and after that the hash alone.
import { gql } from "@apollo/client";
import { carrierAdminClient } from "./client.mjs";

const KEYS = gql`
  query CarrierKeys($after: String) {
    viewer { kind name }
    carriers(first: 1) {
      nodes {
        code
        name
        apiKeys(first: 20, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { id hint status description }
        }
      }
    }
  }
`;

const DESCRIBE = gql`
  mutation DescribeKey($id: ID!, $description: String!) {
    updateApiKey(input: { id: $id, description: $description }) {
      ... on ApiKeyPayload { apiKey { id hint description } }
      ... on UserError { message code field }
    }
  }
`;

const url = process.env.CARRIER_ADMIN_URL ?? "http://127.0.0.1:8080/graphql";
const client = carrierAdminClient(url, process.env.CARRIER_ADMIN_API_KEY);
const [hint, description] = process.argv.slice(2);

try {
  const keys = [];
  let after = null;
  do {
    const { data } = await client.query({ query: KEYS, variables: { after }, fetchPolicy: "network-only" });
    if (after === null) console.log(`signed in as ${data.viewer.kind} '${data.viewer.name}'`);
    const [carrier] = data.carriers.nodes;
    if (after === null) console.log(`${carrier.code}: ${carrier.name}`);
    for (const key of carrier.apiKeys.nodes) console.log(`  key ${key.hint} ${key.status.padEnd(8)} ${key.description}`);
    keys.push(...carrier.apiKeys.nodes);
    after = carrier.apiKeys.pageInfo.hasNextPage ? carrier.apiKeys.pageInfo.endCursor : null;
  } while (after !== null);

  if (hint !== undefined) {
    const key = keys.find((k) => k.hint === hint);
    if (!key) throw new Error(`no key ${hint}`);
    const { data } = await client.mutate({ mutation: DESCRIBE, variables: { id: key.id, description } });
    const result = data.updateApiKey;
    if (result.__typename === "ApiKeyPayload") console.log(`described ${result.apiKey.hint}: ${result.apiKey.description}`);
    else console.log(`refused ${result.code} (${result.field}): ${result.message}`);
  }
} catch (error) {
  // Errors the server gave (extensions.code), e.g. FORBIDDEN for a scope the key lacks.
  for (const item of error.errors ?? [error]) console.error(`error ${item.extensions?.code ?? ""}: ${item.message}`);
  process.exitCode = 1;
}
