// The dashboard's only way to the v1 API: adds the bearer key, turns
// problem+json (or any non-2xx) into ApiError, and reports 401 once so the app
// can drop the key and ask again.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly requestId: string | undefined,
    /** Seconds to wait before retrying (429/503), from `Retry-After` or the rate-limit reset header. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = "ApiError";
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

export function createApiClient(key: string, onUnauthorized: (error: ApiError) => void): ApiClient {
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${key}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        // The key travels only in the header; never let the browser attach cookies or cache replies.
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, "network_error", "Network error", "The API could not be reached. Check your connection and retry.", undefined, undefined);
    }
    if (response.ok) {
      return (response.status === 204 ? undefined : await response.json()) as T;
    }
    const error = await toApiError(response);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }

  return {
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body),
    delete: (path) => request("DELETE", path),
  };
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers);
  const requestId = response.headers.get("X-Request-Id") ?? undefined;
  const fallbackTitle = response.statusText || `HTTP ${response.status}`;
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("json")) {
    try {
      const problem = (await response.json()) as Record<string, unknown>;
      return new ApiError(
        response.status,
        stringField(problem, "code") ?? `http_${response.status}`,
        stringField(problem, "title") ?? fallbackTitle,
        stringField(problem, "detail"),
        stringField(problem, "request_id") ?? stringField(problem, "requestId") ?? requestId,
        retryAfter,
      );
    } catch {
      // A body that claims JSON but isn't: fall through to the generic error.
    }
  }
  return new ApiError(response.status, `http_${response.status}`, fallbackTitle, undefined, requestId, retryAfter);
}

function stringField(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function parseRetryAfter(headers: Headers): number | undefined {
  const retryAfter = headers.get("Retry-After");
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const reset = Number(headers.get("RateLimit-Reset") ?? headers.get("X-RateLimit-Reset") ?? Number.NaN);
  // Reset is either seconds-from-now or an epoch timestamp; anything huge is the latter.
  if (Number.isFinite(reset)) return reset > 1e9 ? Math.max(0, Math.ceil(reset - Date.now() / 1000)) : Math.ceil(reset);
  return undefined;
}

/** One line for a banner: what went wrong, what to do, and the id to quote to support. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const parts = [error.detail ? `${error.title}: ${error.detail}` : error.title];
  if (error.status === 429 || error.status === 503) parts.push(error.retryAfterSeconds !== undefined ? `Try again in ${error.retryAfterSeconds} s.` : "Try again shortly.");
  if (error.requestId) parts.push(`(request ${error.requestId})`);
  return parts.join(" ");
}
