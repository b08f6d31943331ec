import { ERROR_CODES } from "./codes";
import type { ApiError } from "./api-error";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
const PROBLEM_TYPE_BASE = "https://text2lora.dev/problems/";

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  request_id: string;
  errors?: { path: string; message: string }[];
}

/** Renders an ApiError as an RFC 9457 problem response carrying the request id. */
export function problemResponse(error: ApiError, requestId: string): Response {
  const { status, title } = ERROR_CODES[error.code];
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title,
    status,
    code: error.code,
    detail: error.detail,
    request_id: requestId,
    ...(error.options.errors ? { errors: error.options.errors } : {}),
  };
  const headers = new Headers(error.options.headers);
  headers.set("Content-Type", PROBLEM_CONTENT_TYPE);
  headers.set("Cache-Control", "no-store");
  headers.set("X-Request-Id", requestId);
  return new Response(JSON.stringify(body), { status, headers });
}
