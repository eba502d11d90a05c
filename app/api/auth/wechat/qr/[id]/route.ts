// GET: {"status":"pending"|"scanned"|"signed_in"|"expired"} for the browser that asked for the code; when
// the scan has arrived, this answer signs the browser in (the session cookie). Any other browser: 404.
import { z } from "zod";
import { QR_LOGIN_COOKIE, pollQrLogin } from "@/lib/auth/qr-login";
import { readCookie, route } from "@/lib/http";
import { services } from "@/lib/services";
import { signIn } from "@/lib/session";

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9]{32}$/) });

export const GET = route({ params, personal: true }, async (request, { params }) => {
  const polled = await pollQrLogin(services.qrLogin, params.id, readCookie(request, QR_LOGIN_COOKIE));
  const response = Response.json({ status: polled.status }, { headers: { "cache-control": "private, no-store" } });
  if (polled.userId) await signIn(request, response, polled.userId);
  return response;
});
