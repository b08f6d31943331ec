import { DurableObject } from "cloudflare:workers";
import { check, emptyWindow, record, type WindowState, type WindowVerdict } from "../lib/sliding-window";

export const RATE_WINDOW_MS = 60_000;
/**
 * How long counted requests may sit in memory before their windows are written. A write per
 * request was most of the limiter's cost; one write per interval carries every window that
 * changed in it. Idle eviction comes many seconds after the last request, so it never loses
 * counts; only a crash or a deploy restart within this interval forgets them, which lets at
 * most that interval's admitted requests through again in the current window.
 */
export const PERSIST_INTERVAL_MS = 250;

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
  private readonly unsaved = new Set<string>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  async consume(request: RateRequest, now = Date.now()): Promise<RateDecision> {
    const windows = await this.load();
    const tenant = windows.get("tenant") ?? emptyWindow();
    const keyName = `key:${request.keyId}`;
    const key = windows.get(keyName) ?? emptyWindow();
    const tenantVerdict = check(tenant, request.tenantLimit, now, RATE_WINDOW_MS);
    const keyVerdict = check(key, request.keyLimit, now, RATE_WINDOW_MS);
    windows.set("tenant", tenant);
    windows.set(keyName, key);
    // Only a counted request changes what must survive; a refused one needs no write.
    if (tenantVerdict.allowed && keyVerdict.allowed) {
      record(tenant);
      record(key);
      this.saveLater("tenant", keyName);
    }
    if (!keyVerdict.allowed) return { ...keyVerdict, scope: "key" };
    if (!tenantVerdict.allowed) return { ...tenantVerdict, scope: "tenant" };
    return keyVerdict.remaining <= tenantVerdict.remaining ? { ...keyVerdict, scope: "key" } : { ...tenantVerdict, scope: "tenant" };
  }

  /** One write of every window changed since the last save. */
  private async save(): Promise<void> {
    this.saveTimer = null;
    if (!this.windows || this.unsaved.size === 0) return;
    const changed: Record<string, WindowState> = {};
    for (const name of this.unsaved) {
      const state = this.windows.get(name);
      if (state) changed[name] = { ...state };
    }
    this.unsaved.clear();
    try {
      await this.ctx.storage.put(changed);
    } catch (error) {
      // Still unsaved: the next counted request schedules them again.
      for (const name of Object.keys(changed)) this.unsaved.add(name);
      throw error;
    }
  }

  private saveLater(...names: string[]): void {
    for (const name of names) this.unsaved.add(name);
    this.saveTimer ??= setTimeout(() => {
      this.save().catch((error: unknown) => {
        console.error(JSON.stringify({ level: "error", msg: "rate windows not saved", error: String(error) }));
      });
    }, PERSIST_INTERVAL_MS);
  }

  private async load(): Promise<Map<string, WindowState>> {
    if (!this.windows) {
      const stored = await this.ctx.storage.list<WindowState>();
      this.windows = new Map(stored);
    }
    return this.windows;
  }
}
