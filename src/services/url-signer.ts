import { hmacSha256Hex, timingSafeEqualStrings } from "../lib/crypto";

export const CDN_PREFIX = "/cdn/v1/adapters";
// Expiries are rounded up to this step so every request in a step gets the same URL,
// which is what lets a CDN (and the client's cache) reuse the response.
const EXPIRY_STEP_SECONDS = 600;

export interface SignedUrlParts {
  adapterId: string;
  file: string;
  keyId: string;
  expires: number;
}

/** Signs and checks the expiring CDN URLs: HMAC-SHA256 over method, path, expiry and the key id. */
export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  async sign(origin: string, parts: Omit<SignedUrlParts, "expires">, nowSeconds = Date.now() / 1000): Promise<{ url: string; expires: number }> {
    const expires = Math.ceil((nowSeconds + this.ttlSeconds) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
    const path = `${CDN_PREFIX}/${parts.adapterId}/${parts.file}`;
    const signature = await this.signature(path, expires, parts.keyId);
    const query = new URLSearchParams({ expires: String(expires), key: parts.keyId, signature });
    return { url: `${origin}${path}?${query.toString()}`, expires };
  }

  /** True when the signature matches and has not expired. */
  async verify(path: string, query: { expires: number; key: string; signature: string }, nowSeconds = Date.now() / 1000): Promise<boolean> {
    const expected = await this.signature(path, query.expires, query.key);
    const valid = await timingSafeEqualStrings(expected, query.signature);
    return valid && query.expires > nowSeconds;
  }

  private signature(path: string, expires: number, keyId: string): Promise<string> {
    return hmacSha256Hex(this.secret, `GET\n${path}\n${expires}\n${keyId}`);
  }
}
