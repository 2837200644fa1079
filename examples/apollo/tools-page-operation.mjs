// A person's script with Apollo Client 4, where only trusted documents are accepted from people (the
// production default): it runs one of the Tools page's operations, taken from the page's manifest
// (frontend/trusted-documents.json). Apollo sends only its hash of the document, which the server
// knows: nothing else to configure.
//
//   CARRIER_ADMIN_URL=https://admin.example.com/graphql CARRIER_ADMIN_TOKEN=<your access token> \
//     node tools-page-operation.mjs
import { readFileSync } from "node:fs";
import { gql } from "@apollo/client";
import { carrierAdminClient } from "./client.mjs";

const manifest = JSON.parse(readFileSync(new URL("../../frontend/trusted-documents.json", import.meta.url), "utf8"));
const operation = (name) =>
  Object.values(manifest)
    .map((text) => gql(text))
    .find((document) => document.definitions.some((d) => d.kind === "OperationDefinition" && d.name?.value === name));

const url = process.env.CARRIER_ADMIN_URL ?? "http://127.0.0.1:8080/graphql";
const client = carrierAdminClient(url, process.env.CARRIER_ADMIN_TOKEN);
try {
  const { data } = await client.query({ query: operation("ToolsPage"), variables: { carrierCount: 10 } });
  const viewer = data.viewer;
  console.log(`signed in as ${viewer.kind} '${viewer.name}', ${viewer.carriers.totalCount} carriers`);
  for (const carrier of viewer.carriers.nodes) console.log(`  ${carrier.code}: ${carrier.name}`);
  const refused = viewer.permissions.filter((permission) => !permission.allowed);
  console.log(`restricted to staff here: ${refused.length} of ${viewer.permissions.length} operations`);
} catch (error) {
  for (const item of error.errors ?? [error]) console.error(`error ${item.extensions?.code ?? ""}: ${item.message}`);
  process.exitCode = 1;
}
