// GET /api/admin/orders/<id>: one order with its refunds, webhooks (every attempt), incidents and the
// merged timeline (oldest first); 404 pay_order_not_found.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { getOrderDetail } from "@/lib/admin/order-detail";
import { AppError } from "@/lib/errors";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = adminRoute({ params }, async (_request, { params }) => {
  const detail = await getOrderDetail(services.db, params.id);
  if (!detail) throw new AppError("pay_order_not_found");
  return detail;
});
