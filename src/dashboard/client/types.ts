// Response shapes of the v1 API the dashboard reads (DESIGN.md, Contract 4).
// Kept here rather than imported from the Worker, whose types need Workers globals.

/** GET /v1/me: who the calling key is. */
export interface Me {
  tenant_id: string;
  key_id: string;
  scopes: string[];
  plan: string;
}

export interface UsageBucket {
  /** ISO 8601 start of the UTC bucket; the series has no gaps. */
  start: string;
  generations: number;
  cache_hits: number;
  downloads: number;
  bytes_generated: number;
  bytes_downloaded: number;
  /** GPU time of the bucket's generations, summed. */
  gpu_ms: number;
}

export interface UsageResponse {
  tenant_id: string;
  granularity: "hour" | "day";
  from: string;
  to: string;
  series: UsageBucket[];
  totals: Omit<UsageBucket, "start">;
  quota: {
    plan: string;
    monthly_generations: number;
    used_this_month: number;
    resets_at: string;
  };
}

export interface AdapterRecord {
  id: string;
  status: "pending" | "ready";
  /** name@version */
  bundle: string;
  /** The normalised description. */
  description: string;
  description_sha256: string;
  visibility: "private" | "public";
  sha256: string | null;
  bytes: number | null;
  generation_ms: number | null;
  created_at: string;
  /** Signed, expiring download URLs by file name; empty until ready. */
  files: Partial<Record<string, string>>;
  files_expire_at: string | null;
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
