// Fails when the page's operations and the committed manifest (frontend/trusted-documents.json, which
// the server loads) disagree: codegen runs in memory over src/**/*.graphql and its persisted documents
// must be exactly the manifest, hash for hash and text for text.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import config from "../codegen";
// @ts-expect-error: a plain .mjs module without types
import { manifestFrom } from "./write-manifest.mjs";

describe("trusted documents", () => {
  it("the committed manifest is what the page's operations generate", async () => {
    const outputs = (await generate({ ...config, silent: true, cwd: process.cwd() }, false)) as { filename: string; content: string }[];
    const persisted = outputs.find((output) => output.filename.endsWith("persisted-documents.json"));
    expect(persisted, "codegen wrote no persisted documents").toBeDefined();
    const expected = manifestFrom(JSON.parse(persisted?.content ?? "{}")) as Record<string, string>;
    const committed = JSON.parse(readFileSync("trusted-documents.json", "utf8")) as Record<string, string>;
    expect(committed, "frontend/trusted-documents.json is stale: run `npm run codegen` and commit it").toEqual(expected);
  }, 30_000);

  it("every key is the sha256 of its document, as the server checks at start-up", () => {
    const committed = JSON.parse(readFileSync("trusted-documents.json", "utf8")) as Record<string, string>;
    for (const [hash, text] of Object.entries(committed)) {
      expect(createHash("sha256").update(text).digest("hex")).toBe(hash);
    }
  });
});
