// Gives the test tenant a day of history to chart and list. Real generations need
// the gpu-worker and a trained bundle, which this test does not start; so the rows
// are written into the test's own throwaway D1 (`wrangler d1 execute --local`) in
// the shape the edge's meter and adapter store write them. The page still sees
// them only through GET /v1/usage and GET /v1/adapters, and the test checks the
// page against those responses.
import { randomBytes, randomUUID } from "node:crypto";
import { runStep } from "../../scripts/lib/process.mjs";
import { root, WRANGLER, wranglerEnv } from "./local-edge.mjs";

const HOUR_MS = 3_600_000;
const BUNDLE = "smollm2-135m-instruct-t2l@0.1.0";
const ADAPTER_BYTES = 1_179_648;
const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** An id in the edge's format (`ad_` + 10 time + 16 random Crockford chars). */
function sortableId(prefix, at) {
  let time = "";
  for (let rest = at, i = 0; i < 10; i++, rest = Math.floor(rest / 32)) time = CROCKFORD[rest % 32] + time;
  return `${prefix}_${time}${[...randomBytes(16)].map((byte) => CROCKFORD[byte % 32]).join("")}`;
}

const DESCRIPTIONS = [
  "Solve grade-school math word problems step by step.",
  "Classify the sentiment of a product review as positive or negative.",
  "Answer questions about a passage with a short extractive span.",
];

export function historyRows(tenantId, keyId, now = Date.now()) {
  const adapters = DESCRIPTIONS.map((description, index) => {
    const at = now - (20 - 7 * index) * HOUR_MS;
    return { id: sortableId("ad", at), description, sha256: randomBytes(32).toString("hex"), blob: randomBytes(32).toString("hex"), at, generationMs: 210 + 40 * index };
  });
  const events = [];
  [0, 1, 2, 5, 9, 14, 20].forEach((hoursAgo, index) => {
    const at = now - hoursAgo * HOUR_MS - 60_000;
    const adapter = adapters[index % adapters.length];
    for (let i = 0; i <= index % 3; i++) events.push({ kind: "generation", at: at - i * 1000, adapter, bytes: ADAPTER_BYTES, gpuMs: 180 + 45 * index + 30 * i });
    for (let i = 0; i < (index * 2) % 5; i++) events.push({ kind: "cache_hit", at: at - i * 500, adapter, bytes: 0, gpuMs: 0 });
    for (let i = 0; i < 1 + (index % 2); i++) events.push({ kind: "download", at: at - i * 700, adapter, bytes: ADAPTER_BYTES, gpuMs: 0 });
  });
  return { adapters, events: events.map((event) => ({ ...event, tenantId, keyId, eventId: `evt_${randomUUID()}` })) };
}

const sql = (value) => (typeof value === "number" ? String(value) : `'${String(value).replaceAll("'", "''")}'`);
const tuple = (values) => `(${values.map(sql).join(", ")})`;

/** Writes the history while the Worker is stopped; returns the adapter ids, oldest first. */
export async function seedHistory(edge, tenantId, keyId) {
  const { adapters, events } = historyRows(tenantId, keyId);
  const statements = [
    `INSERT INTO blobs (sha256, r2_key, bytes, created_at) VALUES ${adapters.map((a) => tuple([a.blob, `blobs/${a.blob}.safetensors`, ADAPTER_BYTES, a.at])).join(", ")};`,
    `INSERT INTO adapters (id, tenant_id, created_by_key_id, bundle_ref, description, description_sha256, visibility, status, blob_sha256, bytes, generation_ms, created_at, ready_at) VALUES ${adapters
      .map((a) => tuple([a.id, tenantId, keyId, BUNDLE, a.description, a.sha256, "private", "ready", a.blob, ADAPTER_BYTES, a.generationMs, a.at, a.at + a.generationMs]))
      .join(", ")};`,
    `INSERT INTO usage_events (tenant_id, event_id, key_id, kind, adapter_id, bundle_ref, bytes, gpu_ms, cache_hit, created_at) VALUES ${events
      .map((e) => tuple([e.tenantId, e.eventId, e.keyId, e.kind, e.adapter.id, BUNDLE, e.bytes, e.gpuMs, e.kind === "cache_hit" ? 1 : 0, Math.round(e.at)]))
      .join(", ")};`,
  ];
  await edge.whileStopped(async (persistDir) =>
    runStep(WRANGLER, ["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--command", statements.join("\n")], {
      cwd: root,
      env: wranglerEnv,
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  return { adapterIds: adapters.map((a) => a.id), events: events.length };
}
