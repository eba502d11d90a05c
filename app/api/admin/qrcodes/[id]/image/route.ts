// GET ?format=png|svg: the code's image, drawn here from its url (the qrcode library: well kept, no native
// parts), so the console works offline with the simulator; a download named after the code.
import QRCode from "qrcode";
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { getQrCode, qrIdParams } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";

const query = z.object({ format: z.enum(["png", "svg"]).default("png") });

export const GET = adminRoute({ params: qrIdParams, query }, async (_request, { params, query }) => {
  const code = await getQrCode(services.qrcodes, params.id);
  const filename = `qrcode-${code.scene.replace(/[^A-Za-z0-9_-]/g, "_")}.${query.format}`;
  const headers = {
    "cache-control": "private, no-store",
    "content-disposition": `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(`${code.name}.${query.format}`)}`,
  };
  if (query.format === "svg") {
    const svg = await QRCode.toString(code.url, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
    return new Response(svg, { headers: { ...headers, "content-type": "image/svg+xml" } });
  }
  const png = await QRCode.toBuffer(code.url, { type: "png", margin: 2, width: 430, errorCorrectionLevel: "M" });
  return new Response(new Uint8Array(png), { headers: { ...headers, "content-type": "image/png" } });
});
