import { ApiError } from "../errors/api-error";

// Past this a record no longer replays: the key may be reused for a new request.
export const IDEMPOTENCY_RECORD_TTL_MS = 24 * 3600 * 1000;
// An in-flight record older than this belongs to a request that died; let a retry take over.
const STALE_IN_FLIGHT_MS = 5 * 60 * 1000;

export type IdempotencyStart = { kind: "new" } | { kind: "replay"; status: number; body: string };

/** Idempotency-Key records: one request runs, retries with the same key and body replay its answer. */
export class IdempotencyStore {
  constructor(private readonly db: D1Database) {}

  async begin(tenantId: string, key: string, requestSha256: string, now = Date.now()): Promise<IdempotencyStart> {
    const claimed = await this.db
      .prepare(
        `INSERT INTO idempotency_records (tenant_id, idempotency_key, request_sha256, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET request_sha256 = excluded.request_sha256, created_at = excluded.created_at,
                status = NULL, response_body = NULL
          WHERE created_at < ?5 OR (status IS NULL AND created_at < ?6)`,
      )
      .bind(tenantId, key, requestSha256, now, now - IDEMPOTENCY_RECORD_TTL_MS, now - STALE_IN_FLIGHT_MS)
      .run();
    if (claimed.meta.changes > 0) return { kind: "new" };
    const row = await this.db
      .prepare(`SELECT request_sha256, status, response_body FROM idempotency_records WHERE tenant_id = ?1 AND idempotency_key = ?2`)
      .bind(tenantId, key)
      .first<{ request_sha256: string; status: number | null; response_body: string | null }>();
    if (!row) return { kind: "new" };
    if (row.request_sha256 !== requestSha256) {
      throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used with a different request body. Use a new key for a new request.");
    }
    if (row.status === null || row.response_body === null) {
      throw new ApiError("idempotency_in_progress", "A request with this Idempotency-Key is still running. Retry shortly.", { headers: { "Retry-After": "1" } });
    }
    return { kind: "replay", status: row.status, body: row.response_body };
  }

  completeStatement(tenantId: string, key: string, status: number, body: string): D1PreparedStatement {
    return this.db
      .prepare(`UPDATE idempotency_records SET status = ?3, response_body = ?4 WHERE tenant_id = ?1 AND idempotency_key = ?2`)
      .bind(tenantId, key, status, body);
  }

  /** A failed request is not remembered, so the client's retry runs again. */
  async abandon(tenantId: string, key: string): Promise<void> {
    await this.db.prepare(`DELETE FROM idempotency_records WHERE tenant_id = ?1 AND idempotency_key = ?2 AND status IS NULL`).bind(tenantId, key).run();
  }
}
