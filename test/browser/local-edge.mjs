// Starts the real edge Worker under `wrangler dev` for a browser test: free ports,
// a throwaway persistence dir with D1 migrations applied, random secrets, and a
// tenant + API key made through the operator API. Nothing touches the repo's
// own .wrangler state or .dev.vars.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createTenant, createTenantKey as createOperatorTenantKey } from "../../scripts/lib/operator-api.mjs";
import { freePort } from "../../scripts/lib/ports.mjs";
import { runStep, startService, stopServices, waitForHttp } from "../../scripts/lib/process.mjs";

export const root = resolve(fileURLToPath(import.meta.url), "../../..");
// The project's pinned wrangler, called directly: `npx` costs seconds per call here.
export const WRANGLER = join(root, "node_modules", ".bin", "wrangler");
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

const secret = (prefix = "") => `${prefix}${randomBytes(32).toString("base64url")}`;

/**
 * @returns {Promise<{ url: string, operatorKey: string, whileStopped: <T>(work: (persistDir: string) => Promise<T>) => Promise<T>, stop: () => Promise<void> }>}
 */
export async function startLocalEdge() {
  const persistDir = mkdtempSync(join(tmpdir(), "t2l-browser-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const vars = {
    OPERATOR_KEY: secret("t2l_op_"),
    URL_SIGNING_SECRET: secret(),
    GPU_WORKER_SECRET: secret(),
    // The dashboard never generates; were anything to, nothing listens here and it gets a clear 503.
    GPU_WORKER_URL: `http://127.0.0.1:${await freePort()}`,
  };

  runStep(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], {
    cwd: root,
    env: wranglerEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const args = [
    "dev",
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--persist-to", persistDir,
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  let server = null;
  const startServer = async () => {
    server = startService("edge", WRANGLER, args, { cwd: root, env: wranglerEnv, quiet: process.env.T2L_TEST_VERBOSE !== "1" });
    await waitForHttp(`${url}/healthz`, server, 60_000);
  };
  const stopServer = async () => {
    if (server) await stopServices([server]);
    server = null;
  };
  const stop = async () => {
    await stopServer();
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    await startServer();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    operatorKey: vars.OPERATOR_KEY,
    /**
     * Runs `work` (given the persistence dir) while the Worker is stopped: workerd
     * keeps its SQLite files open without cross-process locking, so D1 may only
     * be written from outside while it is down.
     */
    whileStopped: async (work) => {
      await stopServer();
      try {
        return await work(persistDir);
      } finally {
        await startServer();
      }
    },
    stop,
  };
}

/** A tenant and one of its keys, made the way an operator would (admin API). */
export async function createTenantKey(edge, { tenant = "browser-test", plan = "pro", scopes }) {
  const { id } = await createTenant(edge.url, edge.operatorKey, { name: tenant, plan });
  const created = await createKeyForTenant(edge, id, { name: "dashboard test", scopes });
  return { tenantId: id, keyId: created.id, key: created.key };
}

/** @returns {Promise<{ id: string, key: string, name: string, prefix: string, scopes: string[] }>} */
export function createKeyForTenant(edge, tenantId, { name, scopes }) {
  return createOperatorTenantKey(edge.url, edge.operatorKey, tenantId, { name, scopes });
}
