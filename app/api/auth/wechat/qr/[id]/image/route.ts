// GET: the sign-in code's image (SVG, drawn here from its url), for the browser that asked for it only.
import QRCode from "qrcode";
import { z } from "zod";
import { QR_LOGIN_COOKIE, qrLoginUrl } from "@/lib/auth/qr-login";
import { readCookie, route } from "@/lib/http";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9]{32}$/) });

export const GET = route({ params, personal: true }, async (request, { params }) => {
  const url = await qrLoginUrl(services.qrLogin, params.id, readCookie(request, QR_LOGIN_COOKIE));
  const svg = await QRCode.toString(url, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return new Response(svg, { headers: { "content-type": "image/svg+xml", "cache-control": "private, no-store" } });
});
