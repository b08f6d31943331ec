/** Bundles are refused, naming the file, when anything about them cannot be trusted. */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { BundleLoadError, loadBundles } from "../src/bundle/loadBundles.js";
import { TINY_BUNDLE_DIR } from "./support/paths.js";

const ORT = { providers: "cpu", intraOpThreads: 1 } as const;
const scratch: string[] = [];

async function bundleCopy(edit?: (dir: string) => Promise<void>): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), "t2l-bundles-"));
  scratch.push(root);
  const dir = join(root, "tiny-t2l");
  await cp(TINY_BUNDLE_DIR, dir, { recursive: true });
  await edit?.(dir);
  return { root, dir };
}

async function editManifest(dir: string, change: (manifest: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, "manifest.json");
  const manifest = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  change(manifest);
  await writeFile(path, JSON.stringify(manifest));
}

async function refusal(root: string): Promise<BundleLoadError> {
  const error = await loadBundles(root, ORT).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleLoadError);
  return error as BundleLoadError;
}

afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("loadBundles", () => {
  it("loads every bundle in the directory and skips folders without a manifest", async () => {
    const { root } = await bundleCopy();
    await cp(join(root, "tiny-t2l"), join(root, "tiny-t2l-v2"), { recursive: true });
    await editManifest(join(root, "tiny-t2l-v2"), (m) => (m.version = "2.0.0"));
    await writeFile(join(root, "README"), "not a bundle");
    const bundles = await loadBundles(root, ORT);
    expect(bundles.map((b) => b.id).sort()).toEqual(["tiny-t2l@1.0.0", "tiny-t2l@2.0.0"]);
    await Promise.all(bundles.map((b) => b.dispose()));
  });

  it("follows links to bundle folders, as volume mounts present them, and skips links to files", async () => {
    const { root: target } = await bundleCopy();
    const root = await mkdtemp(join(tmpdir(), "t2l-linked-"));
    scratch.push(root);
    // The Kubernetes ConfigMap layout: a hidden timestamped folder, `..data` linking to it, and
    // one visible link per entry.
    await symlink(target, join(root, "..data"));
    await symlink(join("..data", "tiny-t2l"), join(root, "tiny-t2l"));
    await writeFile(join(target, "README"), "not a bundle");
    await symlink(join(target, "README"), join(root, "README"));
    const bundles = await loadBundles(root, ORT);
    expect(bundles.map((b) => [b.id, b.directory])).toEqual([["tiny-t2l@1.0.0", join(root, "tiny-t2l")]]);
    await Promise.all(bundles.map((b) => b.dispose()));
  });

  it("refuses a link whose target is gone, naming it", async () => {
    const { root } = await bundleCopy();
    await symlink(join(root, "no-such-bundle"), join(root, "tiny-t2l-v2"));
    const error = await refusal(root);
    expect(error.file).toBe(join(root, "tiny-t2l-v2"));
    expect(error.message).toMatch(/cannot follow this entry to its target \(ENOENT/);
  });

  it.each([
    ["an unknown schema", (m: Record<string, unknown>) => (m.schema = "t2l.bundle/v2"), /manifest\.json: unknown schema "t2l\.bundle\/v2"/],
    ["another normalisation rule", (m: Record<string, unknown>) => (m.normalization = "lowercase/v1"), /manifest\.json: invalid manifest \(normalization/],
    ["a path-traversing file name", (m: Record<string, unknown>) => ((m.files as Record<string, string>)["../x"] = "0".repeat(64)), /manifest\.json: invalid manifest \(files/],
    ["no encoder in the file list", (m: Record<string, unknown>) => delete (m.files as Record<string, string>)["encoder.onnx"], /manifest\.json: files does not list encoder\.onnx/],
    ["a module the graph does not produce", (m: Record<string, unknown>) => ((m.lora as { modules: { name: string }[] }).modules[0]!.name = "k_proj"), /hypernet\.onnx: graph lacks output lora_A\.k_proj/],
    ["a rank the graph does not produce", (m: Record<string, unknown>) => ((m.lora as { r: number }).r = 8), /hypernet\.onnx: does not match the manifest/],
  ])("refuses %s", async (_name, change, message) => {
    const { root } = await bundleCopy((dir) => editManifest(dir, change));
    expect((await refusal(root)).message).toMatch(message);
  });

  it("refuses a file whose sha256 does not match, naming it", async () => {
    const { root, dir } = await bundleCopy(async (d) => {
      const path = join(d, "hypernet.onnx");
      const bytes = await readFile(path);
      bytes[bytes.length - 1]! ^= 0xff;
      await writeFile(path, bytes);
    });
    const error = await refusal(root);
    expect(error.file).toBe(join(dir, "hypernet.onnx"));
    expect(error.message).toMatch(/sha256 [0-9a-f]{64} does not match manifest/);
  });

  it("refuses a listed file that is missing", async () => {
    const { root, dir } = await bundleCopy((d) => rm(join(d, "tokenizer.json")));
    const error = await refusal(root);
    expect(error.file).toBe(join(dir, "tokenizer.json"));
  });

  it("refuses a manifest that is not JSON, and an empty directory", async () => {
    const { root } = await bundleCopy((d) => writeFile(join(d, "manifest.json"), "{ nope"));
    expect((await refusal(root)).message).toMatch(/manifest\.json: not readable JSON/);
    const empty = await mkdtemp(join(tmpdir(), "t2l-empty-"));
    scratch.push(empty);
    expect((await refusal(empty)).message).toMatch(/no bundle with a manifest\.json/);
  });
});
