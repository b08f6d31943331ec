/**
 * Contract 3 request signing: X-T2L-Signature = hex HMAC-SHA256(secret,
 * timestamp + "\n" + method + "\n" + path + "\n" + hex sha256(body)), X-T2L-Timestamp in unix
 * seconds, accepted within 5 minutes either way.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

import { WorkerError } from "./errors.js";

export const MAX_CLOCK_SKEW_S = 300;

// A type alias (not an interface) so it is assignable to a plain header record.
export type SignedHeaders = {
  "x-t2l-timestamp": string;
  "x-t2l-signature": string;
};

export function signatureFor(secret: string, timestamp: string, method: string, path: string, body: Uint8Array): string {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  return createHmac("sha256", secret).update(`${timestamp}\n${method.toUpperCase()}\n${path}\n${bodyHash}`).digest("hex");
}

export function signRequest(secret: string, method: string, path: string, body: Uint8Array, nowS = Math.floor(Date.now() / 1000)): SignedHeaders {
  const timestamp = String(nowS);
  return { "x-t2l-timestamp": timestamp, "x-t2l-signature": signatureFor(secret, timestamp, method, path, body) };
}

export function verifyRequest(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  method: string,
  path: string,
  body: Uint8Array,
  nowS = Date.now() / 1000,
): void {
  const timestamp = headers["x-t2l-timestamp"];
  const signature = headers["x-t2l-signature"];
  if (typeof timestamp !== "string" || typeof signature !== "string") {
    throw new WorkerError("auth_missing", "send X-T2L-Timestamp and X-T2L-Signature (see Contract 3)");
  }
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
    throw new WorkerError("auth_stale_timestamp", `X-T2L-Timestamp must be unix seconds within ${MAX_CLOCK_SKEW_S} s of the worker clock`);
  }
  const expected = Buffer.from(signatureFor(secret, timestamp, method, path, body), "hex");
  const given = /^[0-9a-fA-F]{64}$/.test(signature) ? Buffer.from(signature, "hex") : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WorkerError("auth_bad_signature", "X-T2L-Signature does not match this request");
  }
}
