// GET: the internal API's OpenAPI 3.1 document (generated from the routes' zod schemas, lib/openapi.ts).
import { env } from "@/lib/env";
import { route } from "@/lib/http";
import { openApiDocument } from "@/lib/openapi";

export const GET = route({}, async () => openApiDocument(env().APP_URL));
