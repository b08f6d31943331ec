// The operator API calls that bootstrap a tenant: `npm start` and the tests that run the real
// Worker all create their tenants and first keys through these.

async function operatorPost(edgeUrl, operatorKey, path, body) {
  const response = await fetch(`${edgeUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** @returns {Promise<{ id: string, name: string, plan: string }>} */
export function createTenant(edgeUrl, operatorKey, { name, plan }) {
  return operatorPost(edgeUrl, operatorKey, "/admin/tenants", { name, plan });
}

/** @returns {Promise<{ id: string, key: string, name: string, prefix: string, scopes: string[] }>} */
export function createTenantKey(edgeUrl, operatorKey, tenantId, { name, scopes }) {
  return operatorPost(edgeUrl, operatorKey, `/admin/tenants/${tenantId}/keys`, { name, scopes });
}
