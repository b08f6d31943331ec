import { sha256Hex, randomBase64Url } from "../lib/crypto";
import { newId } from "../lib/ids";
import type { Scope } from "../lib/scopes";
import type { Background } from "./services";

/** `t2l_sk_` + 43 base64url chars (256 random bits): recognisable in logs and secret scanners. */
export const API_KEY_PREFIX = "t2l_sk_";
const API_KEY_PATTERN = /^t2l_sk_[A-Za-z0-9_-]{43}$/;
// Short on purpose: a revoked key is deleted from the cache at once, and anything missed
// (another colo, a tenant status change) ages out within a minute.
const KEY_CACHE_TTL_SECONDS = 60;

export interface PlanLimits {
  plan: string;
  keyRequestsPerMin: number;
  tenantRequestsPerMin: number;
  monthlyGenerations: number;
}

/** Who is calling: resolved from an API key, cached in KV as exactly this shape. */
export interface Principal {
  keyId: string;
  tenantId: string;
  tenantStatus: "active" | "suspended";
  scopes: Scope[];
  expiresAt: number | null;
  limits: PlanLimits;
}

export interface KeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** Approximate (to the key cache's lifetime): refreshed when a key is looked up in D1. */
  last_used_at: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export function isWellFormedApiKey(key: string): boolean {
  return API_KEY_PATTERN.test(key);
}

const cacheKey = (keyHash: string) => `key:v1:${keyHash}`;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toKeyRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    created_at: new Date(row.created_at).toISOString(),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    last_used_at: iso(row.last_used_at),
  };
}

export class KeyStore {
  constructor(
    private readonly db: D1Database,
    private readonly cache: KVNamespace,
    private readonly background: Background,
  ) {}

  /** Resolves a presented key to its principal: KV first, then D1 by hash. Null when unknown, revoked or expired. */
  async authenticate(presented: string, now = Date.now()): Promise<Principal | null> {
    const keyHash = await sha256Hex(presented);
    let principal = await this.cache.get<Principal>(cacheKey(keyHash), "json");
    if (!principal) {
      principal = await this.loadPrincipal(keyHash);
      if (!principal) return null;
      await this.cache.put(cacheKey(keyHash), JSON.stringify(principal), { expirationTtl: KEY_CACHE_TTL_SECONDS });
      // Once per cache lifetime, not per request: "last used" to the minute costs no hot-path write.
      this.background.waitUntil(
        this.db.prepare(`UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1`).bind(principal.keyId, now).run().catch(() => undefined),
      );
    }
    if (principal.expiresAt !== null && principal.expiresAt <= now) return null;
    return principal;
  }

  private async loadPrincipal(keyHash: string): Promise<Principal | null> {
    const row = await this.db
      .prepare(
        `SELECT k.id, k.tenant_id, k.scopes, k.expires_at, t.status, p.id AS plan,
                p.key_requests_per_min, p.tenant_requests_per_min, p.monthly_generations
           FROM api_keys k JOIN tenants t ON t.id = k.tenant_id JOIN plans p ON p.id = t.plan_id
          WHERE k.key_hash = ?1 AND k.revoked_at IS NULL`,
      )
      .bind(keyHash)
      .first<{
        id: string;
        tenant_id: string;
        scopes: string;
        expires_at: number | null;
        status: "active" | "suspended";
        plan: string;
        key_requests_per_min: number;
        tenant_requests_per_min: number;
        monthly_generations: number;
      }>();
    if (!row) return null;
    return {
      keyId: row.id,
      tenantId: row.tenant_id,
      tenantStatus: row.status,
      scopes: JSON.parse(row.scopes) as Scope[],
      expiresAt: row.expires_at,
      limits: {
        plan: row.plan,
        keyRequestsPerMin: row.key_requests_per_min,
        tenantRequestsPerMin: row.tenant_requests_per_min,
        monthlyGenerations: row.monthly_generations,
      },
    };
  }

  /**
   * Mints a key. Returns the secret (shown to the caller once, never stored) and the
   * INSERT, so the caller can commit it in one batch with its audit row.
   */
  async mint(input: { tenantId: string; name: string; scopes: Scope[]; expiresAt: number | null; now: number }) {
    const secret = `${API_KEY_PREFIX}${randomBase64Url(32)}`;
    const row: KeyRow = {
      id: newId("key", input.now),
      name: input.name,
      prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
      scopes: JSON.stringify(input.scopes),
      created_at: input.now,
      expires_at: input.expiresAt,
      revoked_at: null,
      last_used_at: null,
    };
    const insert = this.db
      .prepare(
        `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
      )
      .bind(row.id, input.tenantId, row.name, row.prefix, await sha256Hex(secret), row.scopes, row.created_at, row.expires_at);
    return { secret, record: toKeyRecord(row), insert };
  }

  async list(tenantId: string, options: { limit: number; after?: string | undefined; includeRevoked: boolean }): Promise<KeyRecord[]> {
    const rows = await this.db
      .prepare(
        `SELECT id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at FROM api_keys
          WHERE tenant_id = ?1 AND id > ?2 AND (?3 OR revoked_at IS NULL)
          ORDER BY id LIMIT ?4`,
      )
      .bind(tenantId, options.after ?? "", options.includeRevoked ? 1 : 0, options.limit)
      .all<KeyRow>();
    return rows.results.map(toKeyRecord);
  }

  async get(tenantId: string, keyId: string): Promise<(KeyRow & { key_hash: string }) | null> {
    return this.db
      .prepare(
        `SELECT id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, key_hash FROM api_keys
          WHERE tenant_id = ?1 AND id = ?2`,
      )
      .bind(tenantId, keyId)
      .first();
  }

  revokeStatement(tenantId: string, keyId: string, now: number): D1PreparedStatement {
    return this.db
      .prepare(`UPDATE api_keys SET revoked_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL`)
      .bind(tenantId, keyId, now);
  }

  /** Drops cached principals so a revoke or a tenant change takes effect on the next request here. */
  async forget(keyHashes: string[]): Promise<void> {
    await Promise.all(keyHashes.map((hash) => this.cache.delete(cacheKey(hash))));
  }

  async hashesForTenant(tenantId: string): Promise<string[]> {
    const rows = await this.db.prepare(`SELECT key_hash FROM api_keys WHERE tenant_id = ?1 AND revoked_at IS NULL`).bind(tenantId).all<{ key_hash: string }>();
    return rows.results.map((row) => row.key_hash);
  }
}
