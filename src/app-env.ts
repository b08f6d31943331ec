import type { Env, Settings } from "./env";
import type { ServerTiming } from "./lib/server-timing";
import type { Services } from "./services/services";
import type { Principal } from "./services/key-store";

/** Hono's typing for this app: the bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    settings: Settings;
    services: Services;
    principal: Principal;
    /** Settles when the rate limiter has decided: resolves if admitted, rejects with the 429/503. */
    admission: Promise<void>;
    timing: ServerTiming;
  };
}
