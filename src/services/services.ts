import type { Env, Settings } from "../env";
import { KeyStore } from "./key-store";
import { TenantStore } from "./tenant-store";

/** Everything a handler talks to, built once per request from the bindings and passed in via context. */
export interface Services {
  keys: KeyStore;
  tenants: TenantStore;
}

/** Where work that must not delay the response goes (the request's ExecutionContext). */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

export function createServices(env: Env, _settings: Settings, _background: Background): Services {
  return {
    keys: new KeyStore(env.DB, env.CACHE),
    tenants: new TenantStore(env.DB),
  };
}
