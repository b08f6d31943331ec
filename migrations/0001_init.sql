-- Edge storage (DESIGN.md "Storage"). Times are integer milliseconds since the epoch (UTC).

-- Plans carry every limit, so operators tune them with SQL rather than a deploy.
CREATE TABLE plans (
  id                   TEXT PRIMARY KEY,
  key_requests_per_min INTEGER NOT NULL CHECK (key_requests_per_min > 0),
  tenant_requests_per_min INTEGER NOT NULL CHECK (tenant_requests_per_min > 0),
  monthly_generations  INTEGER NOT NULL CHECK (monthly_generations >= 0)
);
INSERT INTO plans (id, key_requests_per_min, tenant_requests_per_min, monthly_generations) VALUES
  ('free',         60,    120,     100),
  ('pro',         600,   1200,   10000),
  ('enterprise', 60000, 120000, 1000000);

CREATE TABLE tenants (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  plan_id    TEXT NOT NULL REFERENCES plans (id),
  status     TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  created_at INTEGER NOT NULL
);

-- Only the sha256 of a key is stored; `prefix` is the first characters, for people to recognise it.
CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants (id),
  name       TEXT NOT NULL,
  prefix     TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,
  scopes     TEXT NOT NULL,            -- JSON array of scope strings
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);

-- Bundle manifests as last seen from the gpu-worker, so cache hits never need it.
CREATE TABLE bundles (
  ref            TEXT PRIMARY KEY,      -- name@version
  name           TEXT NOT NULL,
  version        TEXT NOT NULL,
  manifest       TEXT NOT NULL,         -- JSON, Contract 1
  adapter_config TEXT NOT NULL,         -- JSON, Contract 2, exactly the bytes served
  seen_at        INTEGER NOT NULL
);

-- Content-addressed adapter weights in R2 (key blobs/<sha256>.safetensors). Shared across adapters.
CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY,
  r2_key     TEXT NOT NULL,
  bytes      INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE adapters (
  id                 TEXT PRIMARY KEY,
  tenant_id          TEXT NOT NULL REFERENCES tenants (id),
  created_by_key_id  TEXT NOT NULL,
  bundle_ref         TEXT NOT NULL,
  description        TEXT NOT NULL,     -- normalised
  description_sha256 TEXT NOT NULL,
  visibility         TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
  status             TEXT NOT NULL CHECK (status IN ('pending', 'ready')),
  blob_sha256        TEXT REFERENCES blobs (sha256),
  bytes              INTEGER,
  generation_ms      INTEGER,
  created_at         INTEGER NOT NULL,
  ready_at           INTEGER,
  deleted_at         INTEGER
);
-- One live adapter per identity per tenant: the last line of defence against double generation.
CREATE UNIQUE INDEX adapters_identity ON adapters (tenant_id, bundle_ref, description_sha256) WHERE deleted_at IS NULL;
CREATE INDEX adapters_by_tenant ON adapters (tenant_id, id) WHERE deleted_at IS NULL;
CREATE INDEX adapters_public ON adapters (bundle_ref, description_sha256) WHERE visibility = 'public' AND status = 'ready' AND deleted_at IS NULL;
CREATE INDEX adapters_by_blob ON adapters (blob_sha256) WHERE deleted_at IS NULL;

CREATE TABLE usage_events (
  tenant_id     TEXT NOT NULL,
  event_id      TEXT NOT NULL,
  key_id        TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('generation', 'cache_hit', 'download')),
  adapter_id    TEXT,
  bundle_ref    TEXT,
  bytes         INTEGER NOT NULL DEFAULT 0,
  gpu_ms        INTEGER NOT NULL DEFAULT 0,
  cache_hit     INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX usage_by_time ON usage_events (tenant_id, created_at);

-- An Idempotency-Key is scoped to the tenant; `request_sha256` catches reuse with another body.
CREATE TABLE idempotency_records (
  tenant_id      TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  status         INTEGER,               -- NULL while the first request is in flight
  response_body  TEXT,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, idempotency_key)
);

CREATE TABLE audit_log (
  id          TEXT PRIMARY KEY,         -- aud_<sortable>
  tenant_id   TEXT,
  actor       TEXT NOT NULL,            -- key id, or 'operator'
  action      TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, id);
