import { newId } from "../lib/ids";

export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];
export type TenantStatus = "active" | "suspended";

export interface TenantRecord {
  id: string;
  name: string;
  plan: Plan;
  status: TenantStatus;
  created_at: string;
}

interface TenantRow {
  id: string;
  name: string;
  plan_id: Plan;
  status: TenantStatus;
  created_at: number;
}

const toRecord = (row: TenantRow): TenantRecord => ({
  id: row.id,
  name: row.name,
  plan: row.plan_id,
  status: row.status,
  created_at: new Date(row.created_at).toISOString(),
});

export class TenantStore {
  constructor(private readonly db: D1Database) {}

  create(input: { name: string; plan: Plan; now: number }): { record: TenantRecord; insert: D1PreparedStatement } {
    const row: TenantRow = { id: newId("ten", input.now), name: input.name, plan_id: input.plan, status: "active", created_at: input.now };
    const insert = this.db
      .prepare(`INSERT INTO tenants (id, name, plan_id, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5)`)
      .bind(row.id, row.name, row.plan_id, row.status, row.created_at);
    return { record: toRecord(row), insert };
  }

  async get(id: string): Promise<TenantRecord | null> {
    const row = await this.db.prepare(`SELECT id, name, plan_id, status, created_at FROM tenants WHERE id = ?1`).bind(id).first<TenantRow>();
    return row ? toRecord(row) : null;
  }

  async list(options: { limit: number; after?: string | undefined }): Promise<TenantRecord[]> {
    const rows = await this.db
      .prepare(`SELECT id, name, plan_id, status, created_at FROM tenants WHERE id > ?1 ORDER BY id LIMIT ?2`)
      .bind(options.after ?? "", options.limit)
      .all<TenantRow>();
    return rows.results.map(toRecord);
  }

  updateStatement(id: string, changes: { plan?: Plan | undefined; status?: TenantStatus | undefined }): D1PreparedStatement {
    return this.db
      .prepare(`UPDATE tenants SET plan_id = COALESCE(?2, plan_id), status = COALESCE(?3, status) WHERE id = ?1`)
      .bind(id, changes.plan ?? null, changes.status ?? null);
  }
}
