// The servers' database, for what no user can do and a test must not wait for: moving a request's
// expiry into the past (rather than waiting out CHANGE_REQUEST_EXPIRY_HOURS). The harness passes the
// database's URL and a Python that has asyncpg (the server's own); Node has no PostgreSQL client here.
import { execFileSync } from "node:child_process";

const RUN = `
import asyncio, json, sys
import asyncpg

async def main():
    conn = await asyncpg.connect(sys.argv[1])
    try:
        print(await conn.execute(sys.argv[2], *json.loads(sys.argv[3])))
    finally:
        await conn.close()

asyncio.run(main())
`;

/** Whether the harness gave the database (tests/browser does; `npm run e2e` alone does not). */
export const DATABASE_URL = process.env.E2E_DATABASE_URL ?? "";

/** Runs one statement with text parameters; answers its status ("UPDATE 1"). */
export function execute(statement: string, ...parameters: string[]): string {
  if (!DATABASE_URL) throw new Error("E2E_DATABASE_URL: run this spec through tests/browser");
  const python = process.env.E2E_PYTHON ?? "python3";
  return execFileSync(python, ["-c", RUN, DATABASE_URL, statement, JSON.stringify(parameters)], { encoding: "utf8" }).trim();
}
