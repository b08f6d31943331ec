import { createHash, createHmac } from "node:crypto";

import { describe, expect, it } from "vitest";

import { WorkerError } from "../src/http/errors.js";
import { signatureFor, signRequest, verifyRequest } from "../src/http/signing.js";

const SECRET = "s3cret-s3cret-s3cret";
const BODY = new TextEncoder().encode('{"description":"x"}');
const NOW = 1_800_000_000;

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as WorkerError).code;
  }
}

describe("Contract 3 HMAC signing", () => {
  it("matches the documented construction", () => {
    // Spelled out independently: hex HMAC-SHA256(secret, ts \n METHOD \n path \n hex sha256(body)).
    const bodyHash = createHash("sha256").update("{}").digest("hex");
    const expected = createHmac("sha256", "key").update(`1\nPOST\n/v1/generate\n${bodyHash}`).digest("hex");
    expect(signatureFor("key", "1", "POST", "/v1/generate", new TextEncoder().encode("{}"))).toBe(expected);
  });

  const good = signRequest(SECRET, "POST", "/v1/generate", BODY, NOW);
  it.each([
    ["a valid signature", good, "POST", "/v1/generate", BODY, NOW, undefined],
    ["4 minutes of skew", good, "POST", "/v1/generate", BODY, NOW + 240, undefined],
    ["no headers", {}, "POST", "/v1/generate", BODY, NOW, "auth_missing"],
    ["6 minutes of skew", good, "POST", "/v1/generate", BODY, NOW + 360, "auth_stale_timestamp"],
    ["a future timestamp", good, "POST", "/v1/generate", BODY, NOW - 360, "auth_stale_timestamp"],
    ["a non-numeric timestamp", { ...good, "x-t2l-timestamp": "soon" }, "POST", "/v1/generate", BODY, NOW, "auth_stale_timestamp"],
    ["another body", good, "POST", "/v1/generate", new TextEncoder().encode("{}"), NOW, "auth_bad_signature"],
    ["another path", good, "POST", "/v1/bundles", BODY, NOW, "auth_bad_signature"],
    ["another method", good, "GET", "/v1/generate", BODY, NOW, "auth_bad_signature"],
    ["a malformed signature", { ...good, "x-t2l-signature": "zz" }, "POST", "/v1/generate", BODY, NOW, "auth_bad_signature"],
    ["another secret", signRequest("other-secret-000000", "POST", "/v1/generate", BODY, NOW), "POST", "/v1/generate", BODY, NOW, "auth_bad_signature"],
  ])("%s", (_name, headers, method, path, body, now, expected) => {
    expect(codeOf(() => verifyRequest(SECRET, headers, method, path, body, now))).toBe(expected);
  });
});
