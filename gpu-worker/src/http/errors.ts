/** The one error type the worker raises on purpose, and how each code maps to HTTP. */

export const ERROR_STATUS = {
  auth_missing: 401,
  auth_stale_timestamp: 401,
  auth_bad_signature: 401,
  invalid_json: 400,
  invalid_request: 400,
  description_empty: 422,
  description_too_long: 422,
  unknown_bundle: 404,
  not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  overloaded: 503,
  shutting_down: 503,
  generation_failed: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Record<ErrorCode, string> = {
  auth_missing: "Missing request signature",
  auth_stale_timestamp: "Request timestamp outside the allowed window",
  auth_bad_signature: "Request signature does not match",
  invalid_json: "Body is not valid JSON",
  invalid_request: "Request does not match the schema",
  description_empty: "Description is empty after normalisation",
  description_too_long: "Description is too long",
  unknown_bundle: "No such bundle is loaded",
  not_found: "No such route",
  method_not_allowed: "Method not allowed on this route",
  body_too_large: "Request body too large",
  unsupported_media_type: "Body must be application/json",
  overloaded: "Worker queue is full",
  shutting_down: "Worker is shutting down",
  generation_failed: "Adapter generation failed",
  internal: "Internal error",
};

export class WorkerError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = "WorkerError";
    this.status = ERROR_STATUS[code];
  }

  get title(): string {
    return TITLES[this.code];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  request_id: string;
  [extension: string]: unknown;
}

/** RFC 9457 body; `code` is the stable machine-readable part clients branch on. */
export function toProblem(error: WorkerError, requestId: string): Problem {
  return {
    ...error.extra,
    type: `https://text2lora.dev/problems/${error.code.replaceAll("_", "-")}`,
    title: error.title,
    status: error.status,
    code: error.code,
    detail: error.message,
    request_id: requestId,
  };
}
