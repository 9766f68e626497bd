import Type from "typebox";
import type { App } from "./context.ts";

/** GET /openapi.json (the OpenAPI 3.1 document of every route) and GET /healthz; both need no token. */
export function metaRoutes(app: App): void {
  app.get("/openapi.json", {
    schema: { tags: ["meta"], summary: "This API's OpenAPI document", security: [], response: { 200: Type.Object({}, { additionalProperties: true, description: "OpenAPI 3.1." }) } },
  }, () => app.swagger());

  app.get("/healthz", {
    schema: { tags: ["meta"], summary: "Liveness", security: [], response: { 200: Type.Object({ status: Type.Literal("ok") }) } },
  }, () => ({ status: "ok" as const }));
}
