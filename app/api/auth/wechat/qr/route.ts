// POST: a sign-in QR code for this desktop browser (扫码登录): {"id","qrUrl","expiresAt"}, and the cookie
// that binds the code to this browser. Same-origin only; limited like login starts.
import { QR_LOGIN_COOKIE, QR_LOGIN_TTL_SECONDS, startQrLogin } from "@/lib/auth/qr-login";
import { clientIp, route, serializeCookie } from "@/lib/http";
import { services } from "@/lib/services";

export const POST = route({ sameOrigin: true, personal: true }, async (request) => {
  const { binding, ...started } = await startQrLogin(services.qrLogin, clientIp(request));
  return Response.json(started, {
    headers: {
      "cache-control": "private, no-store",
      "set-cookie": serializeCookie(QR_LOGIN_COOKIE, binding, {
        maxAge: QR_LOGIN_TTL_SECONDS,
        path: "/api/auth/wechat/qr",
      }),
    },
  });
});
