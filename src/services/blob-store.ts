import { ApiError } from "../errors/api-error";
import { toHex } from "../lib/crypto";

export function blobKey(sha256: string): string {
  return `blobs/${sha256}.safetensors`;
}

/**
 * Adapter weights in R2 under content-addressed keys. A blob is only ever written whole and
 * verified: the stream goes through a FixedLengthStream (R2 needs the length; a short stream
 * fails the put) and a DigestStream, and R2 itself checks the `sha256` we pass, so a
 * truncated or corrupted upload never becomes an object. Our own digest is compared too,
 * and the D1 row that makes a blob visible is written only after all of that succeeds.
 */
export class BlobStore {
  constructor(private readonly bucket: R2Bucket) {}

  async storeVerified(body: ReadableStream<Uint8Array>, bytes: number, sha256: string): Promise<{ key: string; reused: boolean }> {
    const key = blobKey(sha256);
    if (await this.bucket.head(key)) {
      // Same bytes already stored and verified (content addressing): don't upload again.
      await body.cancel();
      return { key, reused: true };
    }
    const digest = new crypto.DigestStream("SHA-256");
    // Read only on success; a failed upload must not leave its rejection unobserved.
    digest.digest.catch(() => undefined);
    const digestWriter = digest.getWriter();
    let received = 0;
    const hashing = new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        received += chunk.byteLength;
        await digestWriter.write(chunk);
        controller.enqueue(chunk);
      },
      async flush() {
        await digestWriter.close();
      },
    });
    const fixed = new FixedLengthStream(bytes);
    const piping = body.pipeThrough(hashing).pipeTo(fixed.writable);
    try {
      await Promise.all([this.bucket.put(key, fixed.readable, { sha256, httpMetadata: { contentType: "application/octet-stream" } }), piping]);
    } catch (error) {
      await this.bucket.delete(key).catch(() => undefined);
      const truncated = received !== bytes;
      throw new ApiError(
        "adapter_integrity_failed",
        truncated
          ? `The gpu-worker stream ended after ${received} of ${bytes} bytes; nothing was stored. Retry the request.`
          : `The generated adapter did not match its announced sha256; nothing was stored. Retry the request (${errorText(error)}).`,
      );
    }
    const actual = toHex(await digest.digest);
    if (actual !== sha256 || received !== bytes) {
      await this.bucket.delete(key);
      throw new ApiError("adapter_integrity_failed", `The generated adapter hashed to ${actual}, not the announced ${sha256}; nothing was stored.`);
    }
    return { key, reused: false };
  }

  get(key: string, range?: R2Range): Promise<R2ObjectBody | null> {
    return this.bucket.get(key, range ? { range } : {});
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
