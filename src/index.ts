import { createApp } from "./app";
import type { Env } from "./env";

export { GenerationFlight } from "./durable-objects/generation-flight";
export { RateLimiter } from "./durable-objects/rate-limiter";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
