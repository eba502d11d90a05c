// GET: one channel QR code with what it brought: {"qrCode", "stats": {"scans","newFollowers","stillFollowing","daily"}}.
import { adminRoute } from "@/lib/admin/guard";
import { getQrCode, qrCodeStats, qrIdParams } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";

export const GET = adminRoute({ params: qrIdParams }, async (_request, { params }) => {
  const qrCode = await getQrCode(services.qrcodes, params.id);
  return { qrCode, stats: await qrCodeStats(services.qrcodes, qrCode.scene) };
});
