// POST {"qrCodeId"?, "outerStr"?, "expireSeconds"?}: a QR_CARD code for an approved card (card/qrcode/create),
// optionally tied to a channel; the image drawn here from its url, as SVG and as a PNG data URL.
import QRCode from "qrcode";
import { adminRoute } from "@/lib/admin/guard";
import { cardIdParams, cardQrBody, createCardQrCode } from "@/lib/cards/cards";
import { services } from "@/lib/services";

export const POST = adminRoute(
  { params: cardIdParams, body: cardQrBody, status: 201 },
  async (_request, { params, body }) => {
    const qrCode = await createCardQrCode(services.cards, params.id, body);
    const [svg, png] = await Promise.all([
      QRCode.toString(qrCode.url, { type: "svg", margin: 2, errorCorrectionLevel: "M" }),
      QRCode.toDataURL(qrCode.url, { type: "image/png", margin: 2, width: 430, errorCorrectionLevel: "M" }),
    ]);
    return { qrCode, svg, png };
  },
);
