// Gives the test tenant usage to chart. Generations need the gpu-worker and a
// trained bundle, which this test does not start; so the rows are written
// straight into the test's own local D1 (`wrangler d1 execute --local`) in the
// exact shape the edge's meter writes them. The page still reads them only
// through GET /v1/usage, whose aggregation is what the charts are checked against.
import { randomUUID } from "node:crypto";
import { runStep } from "../../scripts/lib/process.mjs";
import { root, wranglerEnv } from "./local-edge.mjs";

const HOUR_MS = 3_600_000;

/** Usage spread over the last day: a few generations, cache hits and downloads per active hour. */
export function usageRows(tenantId, keyId, now = Date.now()) {
  const rows = [];
  const hoursAgo = [0, 1, 2, 5, 9, 14, 20];
  hoursAgo.forEach((ago, index) => {
    const at = now - ago * HOUR_MS - 60_000;
    const adapterId = `ad_fixture${String(index).padStart(17, "0")}`;
    for (let i = 0; i <= index % 3; i++) {
      rows.push({ kind: "generation", at: at - i * 1000, adapterId, bytes: 1_179_648, gpuMs: 180 + 45 * index + 30 * i, cacheHit: 0 });
    }
    for (let i = 0; i < (index * 2) % 5; i++) rows.push({ kind: "cache_hit", at: at - i * 500, adapterId, bytes: 0, gpuMs: 0, cacheHit: 1 });
    for (let i = 0; i < 1 + (index % 2); i++) rows.push({ kind: "download", at: at - i * 700, adapterId, bytes: 1_179_648, gpuMs: 0, cacheHit: 0 });
  });
  return rows.map((row) => ({ ...row, tenantId, keyId, eventId: `evt_${randomUUID()}` }));
}

const sql = (value) => (typeof value === "number" ? String(value) : `'${String(value).replaceAll("'", "''")}'`);

export async function seedUsage(edge, tenantId, keyId) {
  const rows = usageRows(tenantId, keyId);
  const values = rows
    .map((r) => `(${[r.tenantId, r.eventId, r.keyId, r.kind, r.adapterId, "smollm2-135m-instruct-t2l@fixture", r.bytes, r.gpuMs, r.cacheHit, Math.round(r.at)].map(sql).join(", ")})`)
    .join(",\n");
  const statement = `INSERT INTO usage_events (tenant_id, event_id, key_id, kind, adapter_id, bundle_ref, bytes, gpu_ms, cache_hit, created_at) VALUES\n${values};`;
  await edge.whileStopped(async (persistDir) =>
    runStep("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", persistDir, "--command", statement], {
      cwd: root,
      env: wranglerEnv,
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  return { rows: rows.length, adapterIds: [] };
}
