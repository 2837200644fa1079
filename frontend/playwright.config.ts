import { defineConfig } from "@playwright/test";

// The browser suite runs against a real `server.py serve` on a fresh database with the demo data:
// tests/browser/test_tools_page_in_chromium.py starts it (and a production-configured one for the
// OpenID Connect flow) and passes their URLs. `npm run e2e` alone runs against TOOLS_URL, by default
// the `make run` server.
export const TIME_ZONE = "America/Chicago";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 45_000,
  expect: { timeout: 8_000 },
  workers: Number(process.env.E2E_WORKERS ?? 2),
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./e2e/globalSetup.ts",
  use: {
    baseURL: process.env.TOOLS_URL ?? "http://127.0.0.1:8080",
    viewport: { width: 1400, height: 1000 },
    // The server runs in UTC; the browser elsewhere, so a key's chosen day is tested to end in the
    // browser's time zone (sent as `timeZone`), not the server's.
    timezoneId: TIME_ZONE,
    locale: "en-US",
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS },
    permissions: ["clipboard-read", "clipboard-write"],
    trace: "off",
    screenshot: "only-on-failure",
  },
});
