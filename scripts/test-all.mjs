// Runs every part's tests in order, keeps going past a failure so one run shows
// everything that is broken, and exits non-zero if any part failed.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const rootScripts = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).scripts;
const steps = ["typecheck", "lint", "test:edge", "test:gpu-worker", "test:trainer", "test:browser", "test:e2e", "test:start", "test:docs"].filter(
  (name) => name in rootScripts,
);

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const results = [];
for (const step of steps) {
  console.log(`\n=== npm run ${step}`);
  const started = Date.now();
  const { status } = spawnSync("npm", ["run", "--silent", step], { stdio: "inherit", env });
  results.push({ step, ok: status === 0, seconds: (Date.now() - started) / 1000 });
}

console.log("\n=== summary");
for (const { step, ok, seconds } of results) console.log(`${ok ? "PASS" : "FAIL"}  ${step}  (${seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
