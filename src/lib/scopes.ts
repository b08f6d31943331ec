/** What a tenant API key may do. Keys carry a subset; a key can only mint keys within its own scopes. */
export const SCOPES = ["adapters:read", "adapters:write", "keys:manage", "usage:read"] as const;
export type Scope = (typeof SCOPES)[number];
