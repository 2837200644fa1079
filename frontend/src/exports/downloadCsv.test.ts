import { afterEach, describe, expect, it, vi } from "vitest";
import { downloadCsv, exportUrl, filenameOf } from "./downloadCsv";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("CSV downloads", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("fetch with the bearer token and save under the server's file name", async () => {
    const fetcher = vi.fn(async () => new Response("id,description\r\n", { headers: { "Content-Disposition": 'attachment; filename="WSOR-api-keys-2026-11-30.csv"' } }));
    vi.stubGlobal("fetch", fetcher);
    URL.createObjectURL = vi.fn(() => "blob:test");
    URL.revokeObjectURL = vi.fn();
    const result = await downloadCsv("Q2Fy==", "api-keys", "token-1", "WSOR-api-keys.csv");
    expect(result).toEqual({ ok: true, filename: "WSOR-api-keys-2026-11-30.csv" });
    expect(fetcher).toHaveBeenCalledWith("/export/carriers/Q2Fy%3D%3D/api-keys.csv", {
      headers: { Authorization: "Bearer token-1", Accept: "text/csv" },
    });
    expect(exportUrl("c1", "activity")).toBe("/export/carriers/c1/activity.csv");
    expect(filenameOf(null, "fallback.csv")).toBe("fallback.csv");
  });

  it("say which scope a refused export needs, when to retry, and that the network failed", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(403, { errors: [{ message: "This API key lacks the scope KEYS_READ.", extensions: { code: "FORBIDDEN", requiredScope: "KEYS_READ" } }] })));
    expect(await downloadCsv("c1", "api-keys", "t", "x.csv")).toMatchObject({ ok: false, problem: { kind: "forbidden", message: expect.stringContaining("it needs the scope KEYS_READ") } });
    vi.stubGlobal("fetch", vi.fn(async () => json(429, { errors: [{ message: "slow down", extensions: { code: "RATE_LIMITED", retryAfter: 12 } }] }, { "Retry-After": "12" })));
    expect(await downloadCsv("c1", "activity", "t", "x.csv")).toMatchObject({ ok: false, problem: { kind: "rateLimited", retryAfterSeconds: 12 } });
    vi.stubGlobal("fetch", vi.fn(async () => json(404, { errors: [{ message: "No carrier c1.", extensions: { code: "NOT_FOUND" } }] })));
    expect(await downloadCsv("c1", "activity", "t", "x.csv")).toMatchObject({ ok: false, problem: { message: "No carrier c1." } });
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    expect(await downloadCsv("c1", "activity", "t", "x.csv")).toMatchObject({ ok: false, problem: { kind: "network" } });
  });
});
