// The usage dashboard in a real browser (Debian chromium via playwright-core)
// against the real Worker under `wrangler dev`: sign-in, charts drawn from the
// usage API, adapter snippets, key creation (secret shown once) and revocation,
// 401 handling, narrow screens. Screenshots go to test-results/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { createKeyForTenant, createTenantKey, startLocalEdge } from "./local-edge.mjs";
import { seedUsage } from "./seed-usage.mjs";

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
  [edge, browser] = await Promise.all([startLocalEdge(), chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })]);
  tenant = await createTenantKey(edge, { tenant: "dashboard-test", scopes: ALL_SCOPES });
  seeded = await seedUsage(edge, tenant.tenantId, tenant.keyId);
});

after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** A fresh browser context that fails the test on any console error (CSP violations included). */
async function openDashboard(t, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // 401/403 responses the test provokes on purpose are logged by Chromium as failed loads.
    if (message.type() === "error" && !/status of 40[13]/.test(message.text())) problems.push(`console: ${message.text()}`);
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

async function usageTotals(key) {
  const to = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
  const query = new URLSearchParams({ from: new Date(to - 86_400_000).toISOString(), to: new Date(to).toISOString(), granularity: "hour" });
  const response = await fetch(`${edge.url}/v1/usage?${query}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(response.status, 200);
  return response.json();
}

test("serves a self-contained, locked-down page", async () => {
  const page = await fetch(`${edge.url}/dashboard`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(page.headers.get("content-security-policy"), /default-src 'none'; script-src 'self'/);
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((match) => match[1]);
  assert.ok(assets.length >= 2 && assets.every((path) => path.startsWith("/dashboard/assets/")), `assets: ${assets}`);
  for (const path of assets) {
    const asset = await fetch(`${edge.url}${path}`);
    assert.equal(asset.status, 200, path);
    assert.match(asset.headers.get("cache-control"), /immutable/);
  }
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
  const api = await usageTotals(tenant.key);
  assert.deepEqual(usage.totals, api.totals, "the page shows the same range the API reports");
  const bucketsWith = (field) => usage.buckets.filter((bucket) => bucket[field] > 0).length;
  assert.equal(await page.locator("#chart-generations .bars rect").count(), bucketsWith("generations"));
  assert.equal(await page.locator("#chart-cache-hits .bars rect").count(), bucketsWith("cache_hits"));
  assert.equal(await page.locator("#chart-bytes .bars rect").count(), bucketsWith("bytes_served"));
  assert.equal(await page.locator("#tile-generations .tile-value").textContent(), String(usage.totals.generations));
  assert.equal(await page.locator("#tile-cache-hits .tile-value").textContent(), String(usage.totals.cache_hits));
  assert.ok(usage.totals.generations > 0 && usage.totals.cache_hits > 0 && usage.totals.bytes_served > 0, "the seeded usage is in the range");

  // Hovering a bucket explains it.
  const chart = page.locator("#chart-generations svg .overlay");
  await chart.hover({ position: { x: (await chart.boundingBox()).width - 4, y: 20 } });
  await assert.doesNotReject(page.locator("#chart-generations .chart-tooltip").waitFor());

  // Adapters: one row per adapter, with copyable URLs and both load snippets.
  const adapterRows = page.locator("#adapter-list tbody tr[data-adapter-id]");
  assert.equal(await adapterRows.count(), seeded.adapterIds.length);
  if (seeded.adapterIds.length > 0) {
    const row = adapterRows.first();
    await row.getByRole("button", { name: "Load snippet" }).click();
    const snippet = page.locator(`#snippet-${await row.getAttribute("data-adapter-id")}`);
    assert.match(await snippet.getByRole("tabpanel").textContent(), /PeftModel\.from_pretrained/);
    await snippet.getByRole("tab", { name: "vLLM" }).click();
    assert.match(await snippet.getByRole("tabpanel").textContent(), /LoRARequest\(/);
  }

  // Create a key: the secret appears once, works, and is gone once dismissed.
  await page.getByLabel("New key name").fill("ci pipeline");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.locator("#new-key-secret").textContent()) ?? "";
  assert.match(secret, /^t2l_sk_[A-Za-z0-9_-]{43}$/);
  const withNewKey = await fetch(`${edge.url}/v1/keys`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(withNewKey.status, 403, "the default scopes leave out keys:manage");
  assert.equal((await usageTotals(secret)).granularity, "hour");
  const newRow = page.locator("#key-table tbody tr", { hasText: "ci pipeline" });
  await newRow.waitFor();
  await page.screenshot({ path: new URL("dashboard.png", RESULTS).pathname, fullPage: true });
  await page.getByRole("button", { name: "I have stored it" }).click();
  assert.equal(await page.getByText(secret).count(), 0);

  // Revoke it: two steps, then the API refuses it.
  await newRow.getByRole("button", { name: /^Revoke key/ }).click();
  await newRow.getByRole("button", { name: "Confirm revoke" }).click();
  await page.getByRole("alert").filter({ hasText: "revoked" }).waitFor();
  await newRow.waitFor({ state: "detached" });
  const afterRevoke = await fetch(`${edge.url}/v1/usage?granularity=day`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(afterRevoke.status, 401);
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

test("a usage-only key sees usage and a clear scope problem elsewhere", async (t) => {
  const { key } = await createKeyForTenant(edge, tenant.tenantId, { name: "usage only", scopes: ["usage:read"] });
  const page = await openDashboard(t);
  await signIn(page, key);
  await page.locator("#chart-generations svg").waitFor();
  await page.locator("#banner").filter({ hasText: /lacks the `(adapters:read|keys:manage)` scope.*request req_/ }).waitFor();
});

test("fits a phone screen and survives a reload", async (t) => {
  const page = await openDashboard(t, { width: 390, height: 844 });
  await signIn(page, tenant.key);
  await page.locator("#chart-latency svg").waitFor();
  await page.reload();
  await page.locator("#chart-latency svg").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: new URL("dashboard-narrow.png", RESULTS).pathname, fullPage: true });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});
