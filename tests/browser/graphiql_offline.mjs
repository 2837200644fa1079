// GraphiQL in a real browser with the network cut off: every request that does not go to the server
// under test is aborted (and counted), then the page must load and run its example query.
//
//   npm install --prefix /tmp/browser playwright-core@1        (once; not part of the project)
//   PLAYWRIGHT_PREFIX=/tmp/browser node tests/browser/graphiql_offline.mjs http://127.0.0.1:8080/graphql out.png
//
// Uses Debian's Chromium (/usr/bin/chromium). Exits non-zero if anything left the machine or the
// query did not answer.
import { createRequire } from "node:module";

const require = createRequire(`${process.env.PLAYWRIGHT_PREFIX ?? "."}/package.json`);
const { chromium } = require("playwright-core");

const [url = "http://127.0.0.1:8080/graphql", screenshot = "graphiql.png"] = process.argv.slice(2);
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const blocked = [];
await page.route("**/*", (route) => {
  const target = route.request().url();
  if (target.startsWith(origin) || target.startsWith("data:")) return route.continue();
  blocked.push(target);
  return route.abort();
});
const problems = [];
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("console", (message) => {
  if (message.type() === "error") problems.push(`console: ${message.text()}`);
});
await page.goto(url, { waitUntil: "networkidle" });
await page.waitForSelector(".graphiql-execute-button", { timeout: 15000 });
await page.click(".graphiql-execute-button");
await page.waitForFunction(
  () => document.querySelector(".result-window")?.textContent?.includes("totalCount"),
  null,
  { timeout: 15000 },
);
const result = await page.textContent(".result-window");
await page.screenshot({ path: screenshot });
await browser.close();
console.log(JSON.stringify({ blocked, problems, resultStart: result.slice(0, 300) }, null, 2));
process.exit(blocked.length === 0 && result.includes('"carriers"') ? 0 : 1);
