// The CSV exports (GET /export/carriers/{id}/{api-keys|activity|api-key-usage}.csv) need the same bearer token as
// /graphql, which a plain link cannot send: fetch the file, then hand the browser a blob to save.
import type { RequestProblem } from "../graphql/problems";

export type ExportKind = "api-keys" | "activity" | "api-key-usage";

export type DownloadResult = { ok: true; filename: string } | { ok: false; problem: RequestProblem };

interface ErrorBody {
  errors?: { message?: string; extensions?: { code?: string; requiredScope?: string; retryAfter?: number } }[];
}

export function exportUrl(carrierId: string, kind: ExportKind, query: Record<string, string> = {}): string {
  const parameters = new URLSearchParams(query).toString();
  return `/export/carriers/${encodeURIComponent(carrierId)}/${kind}.csv${parameters ? `?${parameters}` : ""}`;
}

/** The server's file name (Content-Disposition), else one of our own. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const match = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  return match?.[1] ?? fallback;
}

export async function downloadCsv(
  carrierId: string,
  kind: ExportKind,
  token: string,
  fallbackName: string,
  query: Record<string, string> = {},
): Promise<DownloadResult> {
  let response: Response;
  try {
    response = await fetch(exportUrl(carrierId, kind, query), { headers: { Authorization: `Bearer ${token}`, Accept: "text/csv" } });
  } catch {
    return { ok: false, problem: { kind: "network", message: "The server could not be reached. Check your connection and try again." } };
  }
  if (!response.ok) return { ok: false, problem: await problemOf(response) };
  const blob = await response.blob();
  const filename = filenameOf(response.headers.get("Content-Disposition"), fallbackName);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click is handled; the object URL can go after that.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
  return { ok: true, filename };
}

async function problemOf(response: Response): Promise<RequestProblem> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const error = body.errors?.[0];
  const message = error?.message ?? `The export failed (HTTP ${response.status}).`;
  if (response.status === 401) return { kind: "unauthenticated", message: "Your session has ended. Sign in again to continue." };
  if (response.status === 429) {
    const header = Number(response.headers.get("Retry-After"));
    const seconds = error?.extensions?.retryAfter ?? (Number.isFinite(header) ? header : 60);
    return { kind: "rateLimited", retryAfterSeconds: Math.ceil(seconds), message: "Too many requests right now." };
  }
  if (response.status === 403) {
    const scope = error?.extensions?.requiredScope;
    return { kind: "forbidden", message: scope ? `${message} (it needs the scope ${scope})` : message };
  }
  if (response.status === 404) return { kind: "server", code: "NOT_FOUND", message };
  return { kind: "server", code: error?.extensions?.code ?? null, message };
}
