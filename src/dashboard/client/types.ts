// Response shapes of the v1 API the dashboard reads (DESIGN.md, Contract 4).
// Kept here rather than imported from the Worker, whose types need Workers globals.

export interface UsageBucket {
  /** ISO 8601 start of the UTC bucket. */
  start: string;
  generations: number;
  cache_hits: number;
  downloads: number;
  bytes_served: number;
  generation_ms_p50: number | null;
  generation_ms_p95: number | null;
}

export interface UsageResponse {
  from: string;
  to: string;
  granularity: "hour" | "day";
  totals: Omit<UsageBucket, "start">;
  buckets: UsageBucket[];
}

export interface AdapterRecord {
  id: string;
  status: "pending" | "ready";
  bundle: string;
  description: string;
  sha256: string | null;
  bytes: number | null;
  visibility: "private" | "public";
  created_at: string;
  files: Record<string, string>;
}

export interface AdapterList {
  data: AdapterRecord[];
  next_after: string | null;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface KeyList {
  data: ApiKeyRecord[];
  next_after: string | null;
}

export interface CreatedKey extends ApiKeyRecord {
  /** The secret; returned once, at creation. */
  key: string;
}
