import { createApp } from "./app";
import type { Env } from "./env";
import { sweep } from "./services/housekeeping";
import { UsageMeter, type UsageEvent } from "./services/usage-meter";

export { GenerationFlight } from "./durable-objects/generation-flight";
export { RateLimiter } from "./durable-objects/rate-limiter";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),

  /** Hourly cron (wrangler.toml [triggers]): housekeeping. */
  async scheduled(_controller, env) {
    const report = await sweep(env.DB);
    console.log(JSON.stringify({ level: "info", msg: "housekeeping", ...report }));
  },

  /** Usage-event consumer: a batch becomes one D1 batch; on failure the queue redelivers it. */
  async queue(batch, env) {
    const meter = new UsageMeter(env.DB, env.USAGE_EVENTS, { waitUntil: () => undefined });
    try {
      await meter.insertMany(batch.messages.map((message) => message.body));
      batch.ackAll();
    } catch (error) {
      console.error(JSON.stringify({ level: "error", msg: "usage batch not stored; will retry", size: batch.messages.length, error: String(error) }));
      batch.retryAll({ delaySeconds: 5 });
    }
  },
} satisfies ExportedHandler<Env, UsageEvent>;
