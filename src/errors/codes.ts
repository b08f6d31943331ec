/**
 * Every error code the API can return, with its HTTP status and a stable title.
 * Codes are part of the public contract: add new ones, never rename.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, title: "Invalid request" },
  invalid_description: { status: 400, title: "Invalid description" },
  missing_api_key: { status: 401, title: "API key required" },
  invalid_api_key: { status: 401, title: "Invalid API key" },
  invalid_operator_key: { status: 401, title: "Invalid operator key" },
  invalid_signature: { status: 403, title: "Invalid or expired signed URL" },
  insufficient_scope: { status: 403, title: "Insufficient scope" },
  scope_escalation: { status: 403, title: "Cannot grant scopes the calling key lacks" },
  tenant_suspended: { status: 403, title: "Tenant suspended" },
  not_found: { status: 404, title: "Not found" },
  unknown_bundle: { status: 404, title: "Unknown bundle" },
  adapter_not_ready: { status: 409, title: "Adapter not ready" },
  idempotency_in_progress: { status: 409, title: "Idempotent request still in progress" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  range_not_satisfiable: { status: 416, title: "Range not satisfiable" },
  idempotency_key_reused: { status: 422, title: "Idempotency-Key reused with a different request" },
  rate_limited: { status: 429, title: "Rate limit exceeded" },
  quota_exceeded: { status: 429, title: "Monthly quota exceeded" },
  internal: { status: 500, title: "Internal error" },
  misconfigured: { status: 500, title: "Service misconfigured" },
  gpu_worker_error: { status: 502, title: "Adapter generation failed upstream" },
  adapter_integrity_failed: { status: 502, title: "Generated adapter failed verification" },
  gpu_worker_unavailable: { status: 503, title: "Adapter generation unavailable" },
  rate_limiter_unavailable: { status: 503, title: "Rate limiter unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
