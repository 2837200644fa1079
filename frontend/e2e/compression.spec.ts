// The page's JavaScript reaches Chromium compressed at build time (Brotli, Content-Encoding: br), and
// GraphiQL's installed assets too (its own init.js, a few KB edited in the repository, is sent as it is);
// the figures are what crossed the wire (the Resource Timing API's encoded sizes).
import type { Page } from "@playwright/test";
import { expect, test } from "./support";

type Loaded = { name: string; encoded: number; decoded: number };

async function scriptsLoaded(page: Page): Promise<Loaded[]> {
  return page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((entry) => entry.name.endsWith(".js"))
      .map((entry) => ({ name: new URL(entry.name).pathname, encoded: entry.encodedBodySize, decoded: entry.decodedBodySize })),
  );
}

for (const { page: path, ready } of [
  { page: "/", ready: ".app, main, form" },
  { page: "/graphql", ready: ".graphiql-execute-button" },
]) {
  test(`${path}: every script arrives Brotli-compressed`, async ({ page }) => {
    const encodings = new Map<string, string | undefined>();
    page.on("response", (response) => {
      if (response.url().endsWith(".js")) encodings.set(new URL(response.url()).pathname, response.headers()["content-encoding"]);
    });
    await page.goto(path);
    await expect(page.locator(ready).first()).toBeVisible({ timeout: 15_000 });
    await page.waitForLoadState("networkidle");

    const scripts = await scriptsLoaded(page);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts.filter((s) => s.name !== "/graphiql/assets/init.js")) {
      expect(encodings.get(script.name), script.name).toBe("br");
      expect(script.encoded, script.name).toBeLessThan(script.decoded / 2);
    }
    const encoded = scripts.reduce((sum, s) => sum + s.encoded, 0);
    const decoded = scripts.reduce((sum, s) => sum + s.decoded, 0);
    console.log(`${path} JavaScript: ${encoded} bytes transferred for ${decoded} bytes (${scripts.map((s) => `${s.name} ${s.encoded}`).join(", ")})`);
  });
}
