/** Resolves a request's `bundle` (`name` or `name@version`, or nothing) to a loaded bundle. */
import { WorkerError } from "../http/errors.js";
import type { Bundle } from "./bundle.js";

export const CONVENTIONAL_DEFAULT = "smollm2-135m-instruct-t2l";

export class BundleRegistry {
  readonly #byId = new Map<string, Bundle>();
  readonly #newestByName = new Map<string, Bundle>();
  readonly defaultBundle: Bundle;

  constructor(bundles: readonly Bundle[], defaultName?: string) {
    for (const bundle of bundles) {
      this.#byId.set(bundle.id, bundle);
      const current = this.#newestByName.get(bundle.manifest.name);
      if (!current || bundle.manifest.created_at > current.manifest.created_at) this.#newestByName.set(bundle.manifest.name, bundle);
    }
    // Unconfigured: the project's default bundle (docs/CONVENTIONS.md) if loaded, else the only one.
    const fallback = this.#find(CONVENTIONAL_DEFAULT) ?? (bundles.length === 1 ? bundles[0] : undefined);
    const chosen = defaultName ? this.#find(defaultName) : fallback;
    if (!chosen) {
      throw new Error(
        defaultName
          ? `DEFAULT_BUNDLE=${defaultName} is not among the loaded bundles (${this.ids.join(", ")})`
          : `several bundles are loaded (${this.ids.join(", ")}); set DEFAULT_BUNDLE to one of them`,
      );
    }
    this.defaultBundle = chosen;
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  get all(): Bundle[] {
    return [...this.#byId.values()];
  }

  resolve(requested: string | undefined): Bundle {
    if (requested === undefined) return this.defaultBundle;
    const bundle = this.#find(requested);
    if (!bundle) throw new WorkerError("unknown_bundle", `bundle ${requested} is not loaded; loaded: ${this.ids.join(", ")}`);
    return bundle;
  }

  #find(reference: string): Bundle | undefined {
    return reference.includes("@") ? this.#byId.get(reference) : this.#newestByName.get(reference);
  }
}
