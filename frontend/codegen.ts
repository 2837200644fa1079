import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

// Types from the API's committed SDL; documents from the .graphql files beside the components that
// use them. Each document gets its SHA-256 (GraphQL-over-HTTP "sha256:<hex>" id) embedded, and
// src/gql/persisted-documents.json maps every id to the exact text that was hashed:
// scripts/write-manifest.mjs turns it into the server's frontend/trusted-documents.json.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        // A query sees only its own fields; a fragment's fields are read by the component (or helper)
        // beside it, through getFragmentData (not named like a hook: it runs in callbacks and loops too).
        fragmentMasking: { unmaskFunctionName: "getFragmentData" },
        persistedDocuments: { mode: "embedHashInDocument", hashPropertyName: "hash", hashAlgorithm: "sha256" },
      },
      // urql's document cache invalidates results by __typename: the server's copy must ask for it too.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: "string", Date: "string", JSON: "unknown" },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        skipTypename: false,
      },
    },
  },
};

export default config;
