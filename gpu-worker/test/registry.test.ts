/** Which bundle a request gets: by name (newest), by name@version, or the default. */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Bundle } from "../src/bundle/bundle.js";
import { loadBundles } from "../src/bundle/loadBundles.js";
import { BundleRegistry, CONVENTIONAL_DEFAULT } from "../src/bundle/registry.js";
import { WorkerError } from "../src/http/errors.js";
import { TINY_BUNDLE_DIR } from "./support/paths.js";

const IDENTITIES = {
  old: { name: "team-a", version: "1", created_at: "2026-01-01T00:00:00+00:00" },
  new: { name: "team-a", version: "2", created_at: "2026-02-01T00:00:00+00:00" },
  other: { name: "team-b", version: "1", created_at: "2026-01-01T00:00:00+00:00" },
  shipped: { name: CONVENTIONAL_DEFAULT, version: "abc", created_at: "2026-01-15T00:00:00+00:00" },
};
type Key = keyof typeof IDENTITIES;

let root: string;
const loaded = {} as Record<Key, Bundle>;

/** Real bundles: copies of the tiny bundle under other names, versions and dates. */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "t2l-registry-"));
  for (const [key, identity] of Object.entries(IDENTITIES)) {
    const dir = join(root, key);
    await cp(TINY_BUNDLE_DIR, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as object;
    await writeFile(join(dir, "manifest.json"), JSON.stringify({ ...manifest, ...identity }));
  }
  for (const bundle of await loadBundles(root, { providers: "cpu", intraOpThreads: 1 })) {
    const key = (Object.keys(IDENTITIES) as Key[]).find((k) => `${IDENTITIES[k].name}@${IDENTITIES[k].version}` === bundle.id)!;
    loaded[key] = bundle;
  }
});
afterAll(async () => {
  await Promise.all(Object.values(loaded).map((b) => b.dispose()));
  await rm(root, { recursive: true, force: true });
});

const pick = (...keys: Key[]) => keys.map((k) => loaded[k]);

describe("BundleRegistry", () => {
  it.each([
    ["a bare name resolves to the newest version", ["old", "new"], "team-a@1", "team-a", "new"],
    ["name@version pins a version", ["old", "new"], "team-a", "team-a@1", "old"],
    ["no reference uses DEFAULT_BUNDLE", ["old", "new"], "team-a@1", undefined, "old"],
    ["no reference, unconfigured: the conventional default", ["new", "shipped"], undefined, undefined, "shipped"],
    ["no reference, unconfigured: the only bundle", ["old"], undefined, undefined, "old"],
  ] as const)("%s", (_name, keys, defaultName, reference, expected) => {
    expect(new BundleRegistry(pick(...keys), defaultName).resolve(reference)).toBe(loaded[expected]);
  });

  it("answers an unknown reference with unknown_bundle, listing what is loaded", () => {
    const registry = new BundleRegistry(pick("old", "new"), "team-a");
    expect(() => registry.resolve("team-c")).toThrow(WorkerError);
    expect(() => registry.resolve("team-a@3")).toThrow(/loaded: team-a@1, team-a@2/);
  });

  it.each([
    ["DEFAULT_BUNDLE names nothing loaded", ["old"], "team-c", /DEFAULT_BUNDLE=team-c is not among/],
    ["several bundles and no way to choose", ["old", "other"], undefined, /set DEFAULT_BUNDLE/],
  ] as const)("refuses to start when %s", (_name, keys, defaultName, message) => {
    expect(() => new BundleRegistry(pick(...keys), defaultName)).toThrow(message);
  });
});
