import { newId } from "../lib/ids";

export type Visibility = "private" | "public";

export interface AdapterRow {
  id: string;
  tenant_id: string;
  created_by_key_id: string;
  bundle_ref: string;
  description: string;
  description_sha256: string;
  visibility: Visibility;
  status: "pending" | "ready";
  blob_sha256: string | null;
  bytes: number | null;
  generation_ms: number | null;
  created_at: number;
  ready_at: number | null;
}

export interface Identity {
  tenantId: string;
  bundleRef: string;
  descriptionSha256: string;
}

const COLUMNS = `id, tenant_id, created_by_key_id, bundle_ref, description, description_sha256, visibility, status,
                 blob_sha256, bytes, generation_ms, created_at, ready_at`;
// The identity -> adapter cache. The value is the ready row itself, so a cache hit costs one
// KV read and no D1 query (D1 is one region; KV is read at the edge). Entries are dropped
// on delete; elsewhere they age out within KV's propagation delay, and files are always
// served from D1's view, so a deleted adapter's bytes are never handed out.
const IDENTITY_CACHE_TTL_SECONDS = 3600;
const identityCacheKey = (identity: Identity) => `adapter:v1:${identity.tenantId}:${identity.bundleRef}:${identity.descriptionSha256}`;

/** Adapter rows in D1 (tenant-scoped) and the KV cache from identity to adapter id. */
export class AdapterStore {
  constructor(
    private readonly db: D1Database,
    private readonly cache: KVNamespace,
  ) {}

  /** A ready adapter of this tenant for this identity, from KV, else from D1 (then cached). */
  async findReady(identity: Identity): Promise<AdapterRow | null> {
    const cached = await this.cache.get<AdapterRow>(identityCacheKey(identity), "json");
    if (cached?.status === "ready" && cached.tenant_id === identity.tenantId) return cached;
    const row = await this.findLive(identity);
    if (row?.status !== "ready") return null;
    await this.cache.put(identityCacheKey(identity), JSON.stringify(row), { expirationTtl: IDENTITY_CACHE_TTL_SECONDS });
    return row;
  }

  /** The live (not deleted) row for an identity, pending or ready. */
  findLive(identity: Identity): Promise<AdapterRow | null> {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM adapters WHERE tenant_id = ?1 AND bundle_ref = ?2 AND description_sha256 = ?3 AND deleted_at IS NULL`)
      .bind(identity.tenantId, identity.bundleRef, identity.descriptionSha256)
      .first<AdapterRow>();
  }

  /** A ready public adapter of any tenant with these bytes' identity, to reuse its blob. */
  findPublic(bundleRef: string, descriptionSha256: string): Promise<AdapterRow | null> {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM adapters WHERE bundle_ref = ?1 AND description_sha256 = ?2
            AND visibility = 'public' AND status = 'ready' AND deleted_at IS NULL LIMIT 1`,
      )
      .bind(bundleRef, descriptionSha256)
      .first<AdapterRow>();
  }

  get(tenantId: string, id: string): Promise<AdapterRow | null> {
    return this.db.prepare(`SELECT ${COLUMNS} FROM adapters WHERE tenant_id = ?1 AND id = ?2 AND deleted_at IS NULL`).bind(tenantId, id).first<AdapterRow>();
  }

  /** By id alone, for signed CDN URLs (the signature already names the adapter). */
  getAnyTenant(id: string): Promise<AdapterRow | null> {
    return this.db.prepare(`SELECT ${COLUMNS} FROM adapters WHERE id = ?1 AND deleted_at IS NULL`).bind(id).first<AdapterRow>();
  }

  async list(tenantId: string, options: { limit: number; after?: string | undefined; bundleRef?: string | undefined }): Promise<AdapterRow[]> {
    const rows = await this.db
      .prepare(
        `SELECT ${COLUMNS} FROM adapters WHERE tenant_id = ?1 AND deleted_at IS NULL AND id > ?2 AND (?3 IS NULL OR bundle_ref = ?3)
          ORDER BY id LIMIT ?4`,
      )
      .bind(tenantId, options.after ?? "", options.bundleRef ?? null, options.limit)
      .all<AdapterRow>();
    return rows.results;
  }

  newPending(input: { identity: Identity; keyId: string; description: string; visibility: Visibility; now: number }): {
    row: AdapterRow;
    insert: D1PreparedStatement;
  } {
    const row: AdapterRow = {
      id: newId("ad", input.now),
      tenant_id: input.identity.tenantId,
      created_by_key_id: input.keyId,
      bundle_ref: input.identity.bundleRef,
      description: input.description,
      description_sha256: input.identity.descriptionSha256,
      visibility: input.visibility,
      status: "pending",
      blob_sha256: null,
      bytes: null,
      generation_ms: null,
      created_at: input.now,
      ready_at: null,
    };
    const insert = this.db
      .prepare(
        `INSERT INTO adapters (id, tenant_id, created_by_key_id, bundle_ref, description, description_sha256, visibility, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)`,
      )
      .bind(row.id, row.tenant_id, row.created_by_key_id, row.bundle_ref, row.description, row.description_sha256, row.visibility, row.created_at);
    return { row, insert };
  }

  /** Statements that record a verified blob and flip the adapter to ready (commit with its audit row). */
  markReadyStatements(id: string, blob: { sha256: string; key: string; bytes: number }, generationMs: number, now: number): D1PreparedStatement[] {
    return [
      this.db.prepare(`INSERT OR IGNORE INTO blobs (sha256, r2_key, bytes, created_at) VALUES (?1, ?2, ?3, ?4)`).bind(blob.sha256, blob.key, blob.bytes, now),
      this.db
        .prepare(`UPDATE adapters SET status = 'ready', blob_sha256 = ?2, bytes = ?3, generation_ms = ?4, ready_at = ?5 WHERE id = ?1 AND status = 'pending'`)
        .bind(id, blob.sha256, blob.bytes, generationMs, now),
    ];
  }

  async deletePending(id: string): Promise<void> {
    await this.db.prepare(`DELETE FROM adapters WHERE id = ?1 AND status = 'pending'`).bind(id).run();
  }

  softDeleteStatement(tenantId: string, id: string, now: number): D1PreparedStatement {
    return this.db.prepare(`UPDATE adapters SET deleted_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND deleted_at IS NULL`).bind(tenantId, id, now);
  }

  async forgetIdentity(identity: Identity): Promise<void> {
    await this.cache.delete(identityCacheKey(identity));
  }

  /** Removes the blob row when no live adapter uses it; true if the R2 object may now be deleted. */
  async releaseBlob(sha256: string): Promise<boolean> {
    const unused = `NOT EXISTS (SELECT 1 FROM adapters WHERE blob_sha256 = ?1 AND deleted_at IS NULL)`;
    const [, deleted] = await this.db.batch([
      // Deleted rows let go of the blob first (they reference it by foreign key).
      this.db.prepare(`UPDATE adapters SET blob_sha256 = NULL WHERE blob_sha256 = ?1 AND deleted_at IS NOT NULL AND ${unused}`).bind(sha256),
      this.db.prepare(`DELETE FROM blobs WHERE sha256 = ?1 AND ${unused}`).bind(sha256),
    ]);
    return (deleted?.meta.changes ?? 0) > 0;
  }
}
