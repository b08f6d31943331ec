import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";

/** `/openapi.json`, generated from the route schemas; register after the routes it documents. */
export function registerOpenApi(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", {
    type: "http",
    scheme: "bearer",
    description: "A tenant API key (`t2l_sk_…`). Each route names the scope it needs.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "OperatorKey", {
    type: "http",
    scheme: "bearer",
    description: "The operator key (a deployment secret); tenant management only.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "text2lora edge API",
      version: "1.0.0",
      description: "Turn a task description into a PEFT LoRA adapter. Errors are application/problem+json with a stable `code`.",
    },
  });
}
