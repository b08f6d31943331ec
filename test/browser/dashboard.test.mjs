// The usage dashboard in a real browser (Debian chromium via playwright-core)
// against the real Worker under `wrangler dev`: sign-in, charts drawn from the
// usage API, adapter snippets, key creation (secret shown once) and revocation,
// 401 handling, narrow screens. Screenshots go to test-results/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { createKeyForTenant, createTenantKey, startLocalEdge } from "./local-edge.mjs";
import { seedHistory } from "./seed-history.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ALL_SCOPES = ["adapters:read", "adapters:write", "keys:manage", "usage:read"];
const RESULTS = new URL("../../test-results/", import.meta.url);

let edge;
let browser;
let tenant;
let seeded;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  // Both at once, but keep whichever started so after() stops it even if the other failed.
  const [edgeStart, browserStart] = await Promise.allSettled([startLocalEdge(), chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })]);
  edge = edgeStart.value;
  browser = browserStart.value;
  for (const start of [edgeStart, browserStart]) if (start.status === "rejected") throw start.reason;
  tenant = await createTenantKey(edge, { tenant: "dashboard-test", scopes: ALL_SCOPES });
  seeded = await seedHistory(edge, tenant.tenantId, tenant.keyId);
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** A fresh browser context that fails the test on any console error (CSP violations included). */
async function openDashboard(t, { viewport = { width: 1280, height: 900 }, provoked = [401, 403] } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: edge.url });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Error statuses a test provokes on purpose are logged by Chromium as failed loads.
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    if (message.type() === "error" && !provoked.includes(Number(status))) problems.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => {
    // Loads cut short by a reload or sign-out are expected; anything else is a bug.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()}`);
  });
  // Nothing may leave the origin (no CDN, no fonts, no analytics).
  page.on("request", (request) => {
    if (!request.url().startsWith(edge.url) && !request.url().startsWith("data:")) problems.push(`off-origin request: ${request.url()}`);
  });
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], "the page logged errors");
  });
  await page.goto(`${edge.url}/dashboard`);
  return page;
}

async function signIn(page, key) {
  await page.getByLabel("API key", { exact: true }).fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The last 24 hourly buckets, as the page asks for them by default. */
async function lastDayUsage(key) {
  const to = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
  const query = new URLSearchParams({ from: new Date(to - 86_400_000).toISOString(), to: new Date(to).toISOString(), granularity: "hour" });
  return fetch(`${edge.url}/v1/usage?${query}`, { headers: { authorization: `Bearer ${key}` } });
}

const sum = (buckets, field) => buckets.reduce((total, bucket) => total + bucket[field], 0);

test("serves a self-contained, locked-down page", async () => {
  const page = await fetch(`${edge.url}/dashboard`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(page.headers.get("content-security-policy"), /default-src 'none'; script-src 'self'/);
  const html = await page.text();
  // Every script, stylesheet and link the page loads is one of its own versioned assets (the favicon is an empty data: URL).
  const assets = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]).filter((ref) => !ref.startsWith("#") && ref !== "data:,");
  assert.ok(assets.length >= 2 && assets.every((path) => path.startsWith("/dashboard/assets/")), `assets: ${assets}`);
  for (const path of assets) {
    const asset = await fetch(`${edge.url}${path}`);
    assert.equal(asset.status, 200, path);
    assert.match(asset.headers.get("cache-control"), /immutable/);
  }
  const slash = await fetch(`${edge.url}/dashboard/`, { redirect: "manual" });
  assert.equal(slash.status, 301);
  assert.equal(new URL(slash.headers.get("location")).pathname, "/dashboard");

  // Only built assets of the current version are served: no other files, no traversal.
  const version = assets[0].split("/")[3];
  for (const path of ["000000000000/main.js", `${version}/routes.ts`, `${version}/..%2Froutes.ts`, `${version}/tsconfig.json`, `${version}/toString`]) {
    const missing = await fetch(`${edge.url}/dashboard/assets/${path}`);
    assert.equal(missing.status, 404, path);
    assert.match(missing.headers.get("content-type"), /application\/problem\+json/, path);
  }
});

test("rejects a wrong key with a clear message and stores nothing", async (t) => {
  const page = await openDashboard(t);
  await signIn(page, `t2l_sk_${"x".repeat(43)}`);
  await assert.doesNotReject(page.getByRole("alert").filter({ hasText: "not accepted" }).waitFor());
  assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0);
  assert.equal(await page.locator("#dashboard-view").isVisible(), false);
});

test("signs in, draws the API's usage, lists adapters, creates and revokes a key", async (t) => {
  const page = await openDashboard(t);
  const usageResponse = page.waitForResponse((response) => response.url().includes("/v1/usage?") && response.url().includes("granularity=hour"));
  await signIn(page, tenant.key);
  const usage = await (await usageResponse).json();

  // The key is kept for the tab only.
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.deepEqual(await page.context().cookies(), []);
  assert.equal(await page.evaluate(() => Object.values({ ...sessionStorage }).length), 1);

  // Four charts, each an SVG image with a summary, bars exactly where the API reports activity.
  for (const id of ["chart-generations", "chart-cache-hits", "chart-bytes", "chart-latency"]) {
    await page.locator(`#${id} svg[role="img"]`).waitFor();
  }
  const fromApi = await lastDayUsage(tenant.key);
  assert.equal(fromApi.status, 200);
  assert.deepEqual(usage.series, (await fromApi.json()).series, "the page shows the range the API reports");
  const buckets = usage.series;
  assert.equal(buckets.length, 24);
  assert.ok(sum(buckets, "generations") > 0 && sum(buckets, "cache_hits") > 0 && sum(buckets, "bytes_downloaded") > 0, "the seeded history is in range");
  const active = (field) => buckets.filter((bucket) => bucket[field] > 0).length;
  assert.equal(await page.locator("#chart-generations .bars rect").count(), active("generations"));
  assert.equal(await page.locator("#chart-cache-hits .bars rect").count(), active("cache_hits"));
  assert.equal(await page.locator("#chart-bytes .bars rect").count(), active("bytes_downloaded"));
  assert.equal(await page.locator("#chart-latency .dots circle").count(), active("generations"));
  assert.equal(await page.locator("#tile-generations .tile-value").textContent(), String(sum(buckets, "generations")));
  assert.equal(await page.locator("#tile-cache-hits .tile-value").textContent(), String(sum(buckets, "cache_hits")));
  const meanMs = sum(buckets, "gpu_ms") / sum(buckets, "generations");
  assert.equal(await page.locator("#tile-latency .tile-value").textContent(), `${meanMs.toFixed(meanMs >= 100 ? 0 : 1)} ms`);
  assert.match(await page.locator("#chart-generations svg").getAttribute("aria-label"), new RegExp(`Generations: ${sum(buckets, "generations")} in total`));

  // The data table behind each chart has one row per bucket.
  await page.locator("#chart-generations summary").click();
  assert.equal(await page.locator("#chart-generations table tbody tr").count(), buckets.length);

  // Switching to 30 days asks for daily buckets and redraws from them.
  const daily = page.waitForResponse((response) => response.url().includes("/v1/usage?") && response.url().includes("granularity=day"));
  await page.getByRole("button", { name: "30 days" }).click();
  const days = (await (await daily).json()).series;
  assert.equal(days.length, 30);
  await page.waitForFunction((count) => document.querySelectorAll("#chart-generations table tbody tr").length === count, days.length);
  assert.equal(await page.locator("#chart-generations .bars rect").count(), days.filter((day) => day.generations > 0).length);
  assert.equal(await page.getByRole("button", { name: "30 days" }).getAttribute("aria-pressed"), "true");
  assert.equal(await page.locator("#chart-generations details").getAttribute("open"), "", "an open data table stays open across redraws");
  await page.getByRole("button", { name: "24 hours" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#chart-generations table tbody tr").length === 24);

  // Hovering a bucket explains it.
  const chart = page.locator("#chart-generations svg .overlay");
  await chart.hover({ position: { x: (await chart.boundingBox()).width - 4, y: 20 } });
  await assert.doesNotReject(page.locator("#chart-generations .chart-tooltip").waitFor());

  // Adapters: one row per adapter, with copyable URLs and both load snippets.
  const adapterRows = page.locator("#adapter-list tbody tr[data-adapter-id]");
  await adapterRows.first().waitFor();
  assert.deepEqual(await adapterRows.evaluateAll((rows) => rows.map((row) => row.dataset.adapterId)), seeded.adapterIds, "oldest first, as the API lists them");
  const row = adapterRows.first();
  await row.getByRole("button", { name: /^Copy URL of adapter_model\.safetensors/ }).click();
  const copied = new URL(await page.evaluate(() => navigator.clipboard.readText()));
  assert.equal(copied.origin, edge.url);
  assert.match(copied.href, new RegExp(seeded.adapterIds[0]));
  assert.match(copied.href, /adapter_model\.safetensors/);
  await row.getByRole("button", { name: "Load snippet" }).click();
  const snippet = page.locator(`#snippet-${seeded.adapterIds[0]}`);
  assert.match(await snippet.getByRole("tabpanel").textContent(), /PeftModel\.from_pretrained/);
  await snippet.getByRole("tab", { name: "vLLM" }).click();
  assert.match(await snippet.getByRole("tabpanel").textContent(), /LoRARequest\(/);

  // Every control has an accessible name; there is one h1 and every panel is a labelled region.
  const unnamed = await page.evaluate(() => [
    ...[...document.querySelectorAll("button")].filter((b) => !(b.getAttribute("aria-label") ?? b.textContent ?? "").trim()).map((b) => b.outerHTML),
    ...[...document.querySelectorAll("input")].filter((i) => i.labels?.length === 0 && !i.getAttribute("aria-label")).map((i) => i.outerHTML),
  ]);
  assert.deepEqual(unnamed, []);
  assert.equal(await page.evaluate(() => [...document.querySelectorAll("h1")].filter((h1) => h1.checkVisibility()).length), 1);
  for (const name of ["Usage", "Adapters", "API keys"]) await page.getByRole("region", { name, exact: true }).waitFor();

  // Create a key: the secret appears once, works, and is gone once dismissed.
  await page.getByLabel("New key name").fill("ci pipeline");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.locator("#new-key-secret").textContent()) ?? "";
  assert.match(secret, /^t2l_sk_[A-Za-z0-9_-]{43}$/);
  const withNewKey = await fetch(`${edge.url}/v1/keys`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(withNewKey.status, 403, "the default scopes leave out keys:manage");
  assert.equal((await lastDayUsage(secret)).status, 200, "the new key reads usage");
  const newRow = page.locator("#key-table tbody tr", { hasText: "ci pipeline" });
  await newRow.waitFor();
  // From the top, so the sticky header sits where it belongs in the full-page image.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: new URL("dashboard.png", RESULTS).pathname, fullPage: true });
  await page.getByRole("button", { name: "I have stored it" }).click();
  assert.equal(await page.getByText(secret).count(), 0);

  // Revoke it: two steps, then the API refuses it.
  await newRow.getByRole("button", { name: /^Revoke key/ }).click();
  await newRow.getByRole("button", { name: "Confirm revoke" }).click();
  await page.getByRole("alert").filter({ hasText: "revoked" }).waitFor();
  await newRow.waitFor({ state: "detached" });
  assert.equal((await lastDayUsage(secret)).status, 401);
});

test("a key revoked elsewhere ends the session on the next call", async (t) => {
  const { id: keyId, key } = await createKeyForTenant(edge, tenant.tenantId, { name: "short-lived", scopes: ALL_SCOPES });
  const page = await openDashboard(t);
  await signIn(page, key);
  await page.locator("#chart-generations svg").waitFor();
  const revoke = await fetch(`${edge.url}/v1/keys/${keyId}`, { method: "DELETE", headers: { authorization: `Bearer ${tenant.key}` } });
  assert.equal(revoke.status, 200);
  await page.getByRole("button", { name: "Refresh" }).click();
  await page.getByRole("alert").filter({ hasText: "session ended" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});

test("a usage-only key sees usage, and the panels it may not use say why", async (t) => {
  const { key } = await createKeyForTenant(edge, tenant.tenantId, { name: "usage only", scopes: ["usage:read"] });
  const page = await openDashboard(t);
  await signIn(page, key);
  await page.locator("#chart-generations svg").waitFor();
  assert.match(await page.locator("#adapters .locked").textContent(), /lacks the adapters:read scope/);
  assert.match(await page.locator("#keys .locked").textContent(), /lacks the keys:manage scope/);
  assert.equal(await page.locator("#key-form").isVisible(), false);
  assert.equal(await page.locator("#banner").isVisible(), false, "no call was made that the key cannot make");
});

test("fits a phone screen and survives a reload", async (t) => {
  const page = await openDashboard(t, { viewport: { width: 390, height: 844 } });
  await signIn(page, tenant.key);
  await page.locator("#chart-latency svg").waitFor();
  await page.reload();
  await page.locator("#chart-latency svg").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: new URL("dashboard-narrow.png", RESULTS).pathname, fullPage: true });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});

test("rate limiting (429) is explained at sign-in, with when to retry", async (t) => {
  const { tenantId } = await createTenantKey(edge, { tenant: "free-tier", plan: "free", scopes: ["usage:read"] });
  const { key } = await createKeyForTenant(edge, tenantId, { name: "busy", scopes: ["usage:read"] });
  let status = 0;
  for (let i = 0; i < 200 && status !== 429; i++) status = (await lastDayUsage(key)).status;
  assert.equal(status, 429, "the free plan's per-key limit was reached");
  const page = await openDashboard(t, { provoked: [429] });
  await signIn(page, key);
  await page.getByRole("alert").filter({ hasText: /Rate limit exceeded.*Try again in \d+ s/ }).waitFor();
});

test("client building blocks: axis ticks, formats and snippets", async (t) => {
  const page = await openDashboard(t);
  const base = (await page.locator('script[type="module"]').getAttribute("src")).replace(/main\.js$/, "");
  const results = await page.evaluate(async (base) => {
    const scale = await import(`${base}scale.js`);
    const format = await import(`${base}format.js`);
    const snippets = await import(`${base}snippets.js`);
    const input = { apiOrigin: "https://api.example", adapterId: "ad_01jf3k5v8q0000000000000000" };
    return {
      nice: [0, 0.3, 1, 7, 10, 11, 240, 251].map(scale.niceCeiling),
      countTicks: [0, 1, 3, 7, 101].map((max) => scale.valueTicks(max, true)),
      msTicks: scale.valueTicks(0.7, false),
      hourTicks: scale.timeTicks(Date.UTC(2026, 0, 1, 0), Date.UTC(2026, 0, 2, 0), 6, 3_600_000).map((ms) => new Date(ms).toISOString().slice(11, 16)),
      dayTicks: scale.timeTicks(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 31), 8, 86_400_000).length,
      bytes: [0, 999, 1000, 1_179_648, 2.5e9].map(format.formatBytes),
      ms: [12.34, 250, 1234, 65_000].map(format.formatMilliseconds),
      peft: snippets.peftSnippet(input),
      vllm: snippets.vllmSnippet(input),
    };
  }, base);
  assert.deepEqual(results.nice, [1, 0.5, 1, 10, 10, 20, 250, 500]);
  assert.deepEqual(results.countTicks, [[0, 1], [0, 1], [0, 1, 2, 3], [0, 2, 4, 6, 8], [0, 50, 100, 150]]);
  assert.deepEqual(results.msTicks, [0, 0.2, 0.4, 0.6, 0.8]);
  assert.deepEqual(results.hourTicks, ["00:00", "06:00", "12:00", "18:00", "00:00"]);
  assert.ok(results.dayTicks >= 2 && results.dayTicks <= 8, `day ticks: ${results.dayTicks}`);
  assert.deepEqual(results.bytes, ["0 B", "999 B", "1.0 KB", "1.2 MB", "2.5 GB"]);
  assert.deepEqual(results.ms, ["12.3 ms", "250 ms", "1.23 s", "65 s"]);
  for (const code of [results.peft, results.vllm]) {
    assert.match(code, /API = "https:\/\/api\.example"/);
    assert.match(code, /os\.environ\['T2L_API_KEY'\]/, "the key comes from the environment, never the page");
    assert.doesNotMatch(code, /t2l_sk_/);
  }
  assert.match(results.peft, /PeftModel\.from_pretrained\(AutoModelForCausalLM\.from_pretrained\(base_id\), adapter_dir\)/);
  assert.match(results.vllm, /LoRARequest\(ADAPTER_ID, 1, str\(adapter_dir\)\)/);
  assert.match(results.vllm, /enable_lora=True/);
});
