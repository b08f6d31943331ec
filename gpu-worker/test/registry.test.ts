/** Which bundle a request gets: by name (newest), by name@version, or the default. */
import { describe, expect, it } from "vitest";

import type { Bundle } from "../src/bundle/bundle.js";
import { BundleRegistry, CONVENTIONAL_DEFAULT } from "../src/bundle/registry.js";
import { WorkerError } from "../src/http/errors.js";

// The registry only reads identity fields, so plain records stand in for loaded bundles.
const bundle = (name: string, version: string, createdAt: string) =>
  ({ id: `${name}@${version}`, manifest: { name, version, created_at: createdAt } }) as unknown as Bundle;

const OLD = bundle("team-a", "1", "2026-01-01T00:00:00+00:00");
const NEW = bundle("team-a", "2", "2026-02-01T00:00:00+00:00");
const SHIPPED = bundle(CONVENTIONAL_DEFAULT, "abc", "2026-01-15T00:00:00+00:00");

describe("BundleRegistry", () => {
  it.each([
    ["a bare name resolves to the newest version", [OLD, NEW], "team-a@1", "team-a", NEW],
    ["name@version pins a version", [OLD, NEW], "team-a", "team-a@1", OLD],
    ["no reference uses DEFAULT_BUNDLE", [OLD, NEW], "team-a@1", undefined, OLD],
    ["no reference, unconfigured: the conventional default", [NEW, SHIPPED], undefined, undefined, SHIPPED],
    ["no reference, unconfigured: the only bundle", [OLD], undefined, undefined, OLD],
  ])("%s", (_name, bundles, defaultName, reference, expected) => {
    expect(new BundleRegistry(bundles, defaultName).resolve(reference)).toBe(expected);
  });

  it("answers an unknown reference with unknown_bundle, listing what is loaded", () => {
    const registry = new BundleRegistry([OLD, NEW], "team-a");
    expect(() => registry.resolve("team-b")).toThrow(WorkerError);
    expect(() => registry.resolve("team-a@3")).toThrow(/loaded: team-a@1, team-a@2/);
  });

  it.each([
    ["DEFAULT_BUNDLE names nothing loaded", [OLD], "team-b", /DEFAULT_BUNDLE=team-b is not among/],
    ["several bundles and no way to choose", [OLD, bundle("team-b", "1", "2026-01-01")], undefined, /set DEFAULT_BUNDLE/],
  ])("refuses to start when %s", (_name, bundles, defaultName, message) => {
    expect(() => new BundleRegistry(bundles, defaultName)).toThrow(message);
  });
});
