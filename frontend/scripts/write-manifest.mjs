// Writes the server's trusted-documents manifest (frontend/trusted-documents.json) from the persisted
// documents GraphQL Code Generator just produced: { "<sha256 hex>": "<the exact text hashed>" }.
// Codegen names each document "sha256:<hex>" (GraphQL over HTTP's document id); the server's manifest
// keys are the bare hex, and it accepts either form from a client.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export function manifestFrom(persisted) {
  const manifest = {};
  for (const [id, text] of Object.entries(persisted).sort(([a], [b]) => a.localeCompare(b))) {
    const hex = id.replace(/^sha256:/, "");
    const actual = createHash("sha256").update(text).digest("hex");
    if (actual !== hex) throw new Error(`document ${id} does not hash to its id (got ${actual})`);
    manifest[hex] = text;
  }
  return manifest;
}

export function serialize(manifest) {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const persisted = JSON.parse(readFileSync(here("../src/gql/persisted-documents.json"), "utf8"));
  const manifest = manifestFrom(persisted);
  writeFileSync(here("../trusted-documents.json"), serialize(manifest));
  console.log(`trusted-documents.json: ${Object.keys(manifest).length} documents`);
}
