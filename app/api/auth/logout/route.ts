// POST /api/auth/logout: ends the browser's session (from our own pages only).
import { NO_STORE } from "@/lib/errors";
import { route } from "@/lib/http";
import { signOut } from "@/lib/session";
import { services } from "@/lib/services";

export const POST = route({ sameOrigin: true }, async (request) => {
  const response = Response.json({ ok: true }, { headers: NO_STORE });
  await signOut(request, response, services.db);
  return response;
});
