import { newId } from "../lib/ids";

export interface AuditEntry {
  tenantId: string | null;
  /** The key id that acted, or "operator". */
  actor: string;
  action: string;
  targetId: string;
  requestId: string;
  details?: Record<string, unknown>;
  now: number;
}

/** An audit row as a statement: callers put it in the same D1 batch as the change it records. */
export function auditStatement(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO audit_log (id, tenant_id, actor, action, target_id, request_id, details, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
    )
    .bind(
      newId("aud", entry.now),
      entry.tenantId,
      entry.actor,
      entry.action,
      entry.targetId,
      entry.requestId,
      JSON.stringify(entry.details ?? {}),
      entry.now,
    );
}
