import { NO_STORE } from "@/lib/errors";

export function GET(): Response {
  return Response.json({ ok: true }, { headers: NO_STORE });
}
