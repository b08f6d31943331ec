import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./app-env";
import { dashboardRoutes } from "./dashboard/routes";
import { ApiError } from "./errors/api-error";
import { handleError, handleNotFound } from "./errors/handler";
import { requireJsonBody } from "./middleware/json-body";
import { requestContext } from "./middleware/request-context";
import { registerCreateTenant } from "./routes/admin/create-tenant";
import { registerCreateTenantKey } from "./routes/admin/create-tenant-key";
import { registerListTenants } from "./routes/admin/list-tenants";
import { registerUpdateTenant } from "./routes/admin/update-tenant";
import { registerCreateAdapter } from "./routes/adapters/create-adapter";
import { registerDeleteAdapter } from "./routes/adapters/delete-adapter";
import { registerGetAdapter } from "./routes/adapters/get-adapter";
import { registerGetAdapterFile } from "./routes/adapters/get-adapter-file";
import { registerListAdapters } from "./routes/adapters/list-adapters";
import { registerGetCdnFile } from "./routes/cdn/get-cdn-file";
import { registerHealth } from "./routes/health";
import { registerCreateKey } from "./routes/keys/create-key";
import { registerGetMe } from "./routes/keys/get-me";
import { registerListKeys } from "./routes/keys/list-keys";
import { registerRevokeKey } from "./routes/keys/revoke-key";
import { registerOpenApi } from "./routes/openapi";
import { registerGetUsage } from "./routes/usage/get-usage";

/** JSON request bodies are small (a description is at most a few KB); anything bigger is refused unread. */
export const MAX_BODY_BYTES = 16 * 1024;

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = result.error.issues.map((issue) => ({ path: issue.path.join(".") || "(root)", message: issue.message }));
        throw new ApiError("invalid_request", `The request is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}.`, { errors });
      }
    },
  });
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use("*", requestContext);
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.use("*", requireJsonBody);

  registerHealth(app);
  registerOpenApi(app);
  registerCreateTenant(app);
  registerListTenants(app);
  registerUpdateTenant(app);
  registerCreateTenantKey(app);
  registerGetMe(app);
  registerCreateKey(app);
  registerListKeys(app);
  registerRevokeKey(app);
  registerCreateAdapter(app);
  registerListAdapters(app);
  registerGetAdapter(app);
  registerDeleteAdapter(app);
  registerGetAdapterFile(app);
  registerGetCdnFile(app);
  registerGetUsage(app);
  app.route("/dashboard", dashboardRoutes);
  return app;
}
