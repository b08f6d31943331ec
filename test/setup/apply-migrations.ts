import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Runs before each test file, inside workerd, against the file's D1 database.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
