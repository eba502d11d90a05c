// POST /api/auth/logout/everywhere (退出所有设备): ends every session of the signed-in person, on every
// device, this one included (from our own pages only; a session already ended cannot end the others).
import { NO_STORE } from "@/lib/errors";
import { route } from "@/lib/http";
import { getMe } from "@/lib/me";
import { requestSession, signOutEverywhere } from "@/lib/session";
import { services } from "@/lib/services";

export const POST = route({ sameOrigin: true }, async (request) => {
  await getMe(services.auth, await requestSession(request));
  const response = Response.json({ ok: true }, { headers: NO_STORE });
  await signOutEverywhere(request, response, services.db, services.auth.now());
  return response;
});
