// Creates (once) the local development tenant and an API key for it, and keeps the key
// in .cache/dev-key.json so later starts print the same working key.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createTenant, createTenantKey } from "./operator-api.mjs";

export async function ensureDevTenantKey(root, edgeUrl, operatorKey) {
  const keyFile = resolve(root, ".cache/dev-key.json");
  if (existsSync(keyFile)) {
    const { key } = JSON.parse(readFileSync(keyFile, "utf8"));
    const probe = await fetch(`${edgeUrl}/v1/adapters?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    if (probe.ok) return key;
  }
  const tenant = await createTenant(edgeUrl, operatorKey, { name: "dev", plan: "pro" });
  const { key } = await createTenantKey(edgeUrl, operatorKey, tenant.id, {
    name: "npm start",
    scopes: ["adapters:read", "adapters:write", "keys:manage", "usage:read"],
  });
  mkdirSync(resolve(root, ".cache"), { recursive: true });
  writeFileSync(keyFile, JSON.stringify({ key, tenant: tenant.id }), { mode: 0o600 });
  return key;
}
