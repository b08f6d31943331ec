import { DurableObject } from "cloudflare:workers";
import { check, emptyWindow, record, type WindowState, type WindowVerdict } from "../lib/sliding-window";

export const RATE_WINDOW_MS = 60_000;

export interface RateRequest {
  keyId: string;
  keyLimit: number;
  tenantLimit: number;
}

export interface RateDecision extends WindowVerdict {
  /** Which limit decided: the tighter of the two when allowed, the one exceeded when not. */
  scope: "key" | "tenant";
}

/**
 * One instance per tenant holds the sliding windows of the tenant and of each of its keys,
 * so a request costs one round trip and both limits are decided atomically (a DO runs one
 * request at a time). Windows are persisted so an eviction does not reset them.
 */
export class RateLimiter extends DurableObject {
  private windows: Map<string, WindowState> | null = null;

  async consume(request: RateRequest, now = Date.now()): Promise<RateDecision> {
    const windows = await this.load();
    const tenant = windows.get("tenant") ?? emptyWindow();
    const keyName = `key:${request.keyId}`;
    const key = windows.get(keyName) ?? emptyWindow();
    const tenantVerdict = check(tenant, request.tenantLimit, now, RATE_WINDOW_MS);
    const keyVerdict = check(key, request.keyLimit, now, RATE_WINDOW_MS);
    if (tenantVerdict.allowed && keyVerdict.allowed) {
      record(tenant);
      record(key);
    }
    windows.set("tenant", tenant);
    windows.set(keyName, key);
    // Not awaited: the output gate holds the reply until the write is durable.
    void this.ctx.storage.put({ tenant, [keyName]: key });
    if (!keyVerdict.allowed) return { ...keyVerdict, scope: "key" };
    if (!tenantVerdict.allowed) return { ...tenantVerdict, scope: "tenant" };
    return keyVerdict.remaining <= tenantVerdict.remaining ? { ...keyVerdict, scope: "key" } : { ...tenantVerdict, scope: "tenant" };
  }

  private async load(): Promise<Map<string, WindowState>> {
    if (!this.windows) {
      const stored = await this.ctx.storage.list<WindowState>();
      this.windows = new Map(stored);
    }
    return this.windows;
  }
}
