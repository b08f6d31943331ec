import type { Background } from "./services";
import { outboxFor } from "./usage-outbox";

export type UsageKind = "generation" | "cache_hit" | "download";

export interface UsageEvent {
  /** Unique per tenant; a repeated id is recorded once. */
  eventId: string;
  tenantId: string;
  keyId: string;
  kind: UsageKind;
  adapterId: string | null;
  bundleRef: string | null;
  bytes: number;
  gpuMs: number;
  at: number;
}

export interface UsageBucket {
  start: string;
  generations: number;
  cache_hits: number;
  downloads: number;
  bytes_generated: number;
  bytes_downloaded: number;
  gpu_ms: number;
}

export type Granularity = "hour" | "day";
const BUCKET_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };

export function monthStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * Usage events: recorded onto a queue off the hot path (a cache hit must not wait on, or
 * queue behind, a D1 write; the isolate's outbox batches the sends), inserted into D1 in
 * batches by the queue consumer, and deduplicated there by (tenant, event id), so a
 * redelivered batch is counted once.
 */
export class UsageMeter {
  constructor(
    private readonly db: D1Database,
    private readonly queue: Queue<UsageEvent>,
    private readonly background: Background,
  ) {}

  record(event: UsageEvent): void {
    outboxFor(this.queue).add(event, this.background);
  }

  /** The consumer side: one D1 batch for many events; duplicates are ignored. */
  async insertMany(events: UsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.batch(
      events.map((event) =>
        this.db
          .prepare(
            `INSERT OR IGNORE INTO usage_events (tenant_id, event_id, key_id, kind, adapter_id, bundle_ref, bytes, gpu_ms, cache_hit, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
          )
          .bind(event.tenantId, event.eventId, event.keyId, event.kind, event.adapterId, event.bundleRef, event.bytes, event.gpuMs, event.kind === "cache_hit" ? 1 : 0, event.at),
      ),
    );
  }

  async generationsThisMonth(tenantId: string, now = Date.now()): Promise<number> {
    const row = await this.db
      .prepare(`SELECT COUNT(*) AS n FROM usage_events WHERE tenant_id = ?1 AND kind = 'generation' AND created_at >= ?2`)
      .bind(tenantId, monthStart(now))
      .first<{ n: number }>();
    return row?.n ?? 0;
  }

  /** A gap-free series of buckets covering [from, to), UTC-aligned. */
  async series(tenantId: string, from: number, to: number, granularity: Granularity): Promise<UsageBucket[]> {
    const size = BUCKET_MS[granularity];
    const first = Math.floor(from / size) * size;
    const rows = await this.db
      .prepare(
        `SELECT CAST(created_at / ?4 AS INTEGER) * ?4 AS bucket,
                SUM(kind = 'generation') AS generations, SUM(kind = 'cache_hit') AS cache_hits, SUM(kind = 'download') AS downloads,
                SUM(CASE WHEN kind = 'generation' THEN bytes ELSE 0 END) AS bytes_generated,
                SUM(CASE WHEN kind = 'download' THEN bytes ELSE 0 END) AS bytes_downloaded,
                SUM(gpu_ms) AS gpu_ms
           FROM usage_events WHERE tenant_id = ?1 AND created_at >= ?2 AND created_at < ?3
          GROUP BY bucket`,
      )
      .bind(tenantId, first, to, size)
      .all<{ bucket: number; generations: number; cache_hits: number; downloads: number; bytes_generated: number; bytes_downloaded: number; gpu_ms: number }>();
    const byBucket = new Map(rows.results.map((row) => [row.bucket, row]));
    const buckets: UsageBucket[] = [];
    for (let start = first; start < to; start += size) {
      const row = byBucket.get(start);
      buckets.push({
        start: new Date(start).toISOString(),
        generations: row?.generations ?? 0,
        cache_hits: row?.cache_hits ?? 0,
        downloads: row?.downloads ?? 0,
        bytes_generated: row?.bytes_generated ?? 0,
        bytes_downloaded: row?.bytes_downloaded ?? 0,
        gpu_ms: row?.gpu_ms ?? 0,
      });
    }
    return buckets;
  }
}
