/** GET /v1/bundles: manifests of the loaded bundles and the adapter_config each produces. */
import { type AdapterConfig, adapterConfigFor } from "../adapter/adapterConfig.js";
import type { BatchingModes } from "../bundle/bundle.js";
import type { Manifest } from "../bundle/manifest.js";
import { json, type Route } from "../http/route.js";

export interface BundleListing {
  id: string;
  default: boolean;
  execution_provider: "cpu" | "cuda";
  /** Which graphs run a micro-batch in one call; the others run one description per call. */
  batching: BatchingModes;
  manifest: Manifest;
  adapter_config: AdapterConfig;
}

export interface BundlesResponse {
  bundles: BundleListing[];
}

export const bundlesRoute: Route = {
  method: "GET",
  path: "/v1/bundles",
  signed: true,
  async handle(_request, { registry }) {
    const body: BundlesResponse = {
      bundles: registry.all.map((bundle) => ({
        id: bundle.id,
        default: bundle === registry.defaultBundle,
        execution_provider: bundle.provider,
        batching: { ...bundle.batching },
        manifest: bundle.manifest,
        adapter_config: adapterConfigFor(bundle.manifest),
      })),
    };
    return json(200, body);
  },
};
