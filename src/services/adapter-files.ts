import { ApiError } from "../errors/api-error";
import { sha256Hex } from "../lib/crypto";
import type { AdapterRow } from "./adapter-store";
import { blobKey } from "./blob-store";
import type { ServableFile } from "./file-response";
import type { Services } from "./services";

/** The two files of a PEFT adapter (Contract 2). */
export const ADAPTER_FILES = ["adapter_config.json", "adapter_model.safetensors"] as const;
export type AdapterFile = (typeof ADAPTER_FILES)[number];

/** Opens one file of a ready adapter: the weights from R2, the config from the bundle record in D1. */
export async function openAdapterFile(services: Services, adapter: AdapterRow, file: AdapterFile): Promise<ServableFile> {
  if (adapter.status !== "ready" || adapter.blob_sha256 === null || adapter.bytes === null) {
    throw new ApiError("adapter_not_ready", `Adapter ${adapter.id} is still being generated.`, { headers: { "Retry-After": "1" } });
  }
  if (file === "adapter_config.json") {
    const bundle = await services.bundles.byRef(adapter.bundle_ref);
    if (!bundle) throw new ApiError("internal", `The bundle record for ${adapter.bundle_ref} is missing.`);
    const bytes = new TextEncoder().encode(bundle.adapterConfig);
    return {
      sha256: await sha256Hex(bytes),
      size: bytes.byteLength,
      contentType: "application/json",
      filename: file,
      read: (range) => Promise.resolve(range ? bytes.slice(range.offset, range.offset + range.length) : bytes),
    };
  }
  const sha256 = adapter.blob_sha256;
  return {
    sha256,
    size: adapter.bytes,
    contentType: "application/octet-stream",
    filename: file,
    read: async (range) => {
      const object = await services.blobs.get(blobKey(sha256), range ?? undefined);
      if (!object) throw new ApiError("internal", `The stored weights of adapter ${adapter.id} are missing.`);
      return object.body;
    },
  };
}
