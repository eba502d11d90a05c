// GET (Bearer INTERNAL_API_SECRET): an order with its state, payment, refunded amount and refunds.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http";
import { getOrder, orderView } from "@/lib/pay/orders";
import { listRefunds, refundView } from "@/lib/pay/refunds";
import { services } from "@/lib/services";
import { requireInternalCaller } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = route({ authorize: requireInternalCaller, params }, async (_request, { params }) => {
  const pay = services.pay;
  if (!pay) throw new AppError("pay_disabled");
  const order = await getOrder(pay, params.id);
  return { ...orderView(pay, order), refunds: (await listRefunds(pay, order.id)).map(refundView) };
});
