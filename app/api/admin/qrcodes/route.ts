// GET: the channel QR codes. POST {"name","scene","action_name","expire_seconds"?,"tagId"?,"welcome"?}: make one
// on WeChat (qrcode/create, limits checked first), then keep it.
import { adminRoute } from "@/lib/admin/guard";
import { createQrCode, listQrCodes, qrCodeInput } from "@/lib/qrcodes/qrcodes";
import { services } from "@/lib/services";

export const GET = adminRoute(async () => ({ qrCodes: await listQrCodes(services.qrcodes) }));

export const POST = adminRoute({ body: qrCodeInput, status: 201 }, async (_request, { staff, body }) => ({
  qrCode: await createQrCode(services.qrcodes, body, staff.email),
}));
