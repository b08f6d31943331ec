// The README is a contract: its examples are the files the end-to-end test runs, its links
// resolve, its `t2l` commands exist, and its deploy configuration builds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { renderReadme } from "../../scripts/sync-readme.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const readme = readFileSync(resolve(root, "README.md"), "utf8");

test("README example blocks are the files the end-to-end test runs", () => {
  assert.equal(readme, renderReadme(readme), "run `node scripts/sync-readme.mjs`");
  assert.ok((readme.match(/<!-- example: /g) ?? []).length >= 3);
});

test("README links point at files in the repository", () => {
  const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length > 0);
  for (const link of links) assert.ok(existsSync(resolve(root, link)), `README links to missing ${link}`);
});

test("every t2l subcommand the READMEs use exists", () => {
  const text = readme + readFileSync(resolve(root, "trainer/README.md"), "utf8");
  const subcommands = new Set([...text.matchAll(/\bt2l ([a-z][a-z-]+)/g)].map((m) => m[1]));
  assert.ok(subcommands.size >= 4, [...subcommands].join(","));
  for (const sub of subcommands) {
    const result = spawnSync(resolve(root, ".venv/bin/t2l"), [sub, "--help"], { encoding: "utf8" });
    assert.equal(result.status, 0, `t2l ${sub} --help: ${result.stderr}`);
  }
});

test("every npm script the README names exists", () => {
  const scripts = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).scripts;
  for (const [, name] of readme.matchAll(/npm (?:run )?([a-z][a-z:-]*)/g)) {
    if (["install", "ci", "run"].includes(name)) continue;
    assert.ok(name in scripts, `README uses npm ${name}, which package.json lacks`);
  }
});

test("the deploy configuration builds (wrangler deploy --dry-run)", () => {
  const outdir = mkdtempSync(join(tmpdir(), "t2l-deploy-"));
  try {
    const result = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    assert.equal(result.status, 0, result.stderr || result.stdout);
    assert.ok(existsSync(join(outdir, "index.js")));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
