// Creates (once) the local development tenant and an API key for it, and keeps the key
// in .cache/dev-key.json so later starts print the same working key.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export async function ensureDevTenantKey(root, edgeUrl, operatorKey) {
  const keyFile = resolve(root, ".cache/dev-key.json");
  if (existsSync(keyFile)) {
    const { key } = JSON.parse(readFileSync(keyFile, "utf8"));
    const probe = await fetch(`${edgeUrl}/v1/adapters?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    if (probe.ok) return key;
  }
  const operator = { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" };
  const tenantResponse = await fetch(`${edgeUrl}/admin/tenants`, {
    method: "POST",
    headers: operator,
    body: JSON.stringify({ name: "dev", plan: "pro" }),
  });
  if (!tenantResponse.ok) throw new Error(`creating the dev tenant failed: ${tenantResponse.status} ${await tenantResponse.text()}`);
  const tenant = await tenantResponse.json();
  const keyResponse = await fetch(`${edgeUrl}/admin/tenants/${tenant.id}/keys`, {
    method: "POST",
    headers: operator,
    body: JSON.stringify({ name: "npm start", scopes: ["adapters:read", "adapters:write", "keys:manage", "usage:read"] }),
  });
  if (!keyResponse.ok) throw new Error(`creating the dev key failed: ${keyResponse.status} ${await keyResponse.text()}`);
  const { key } = await keyResponse.json();
  mkdirSync(resolve(root, ".cache"), { recursive: true });
  writeFileSync(keyFile, JSON.stringify({ key, tenant: tenant.id }), { mode: 0o600 });
  return key;
}
