import { IDEMPOTENCY_RECORD_TTL_MS } from "./idempotency-store";

// Longer than any generation can take (timeout x attempts), so only dead flights' rows match.
export const STALE_PENDING_ADAPTER_MS = 15 * 60 * 1000;

export interface HousekeepingReport {
  expiredIdempotencyRecords: number;
  stalePendingAdapters: number;
}

/**
 * The hourly sweep: forgets idempotency records past their replay window, and removes
 * pending adapter rows whose generation died with its Durable Object (an eviction or a
 * deploy mid-flight), so a failed generation never stays visible.
 */
export async function sweep(db: D1Database, now = Date.now()): Promise<HousekeepingReport> {
  const [idempotency, pending] = await db.batch([
    db.prepare(`DELETE FROM idempotency_records WHERE created_at < ?1`).bind(now - IDEMPOTENCY_RECORD_TTL_MS),
    db.prepare(`DELETE FROM adapters WHERE status = 'pending' AND created_at < ?1`).bind(now - STALE_PENDING_ADAPTER_MS),
  ]);
  return { expiredIdempotencyRecords: idempotency?.meta.changes ?? 0, stalePendingAdapters: pending?.meta.changes ?? 0 };
}
