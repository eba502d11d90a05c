// POST (Bearer INTERNAL_API_SECRET) {"userId"|"openid","description","amount","outTradeNo"?,"attach"?,
// "expiresInSeconds"?,"returnUrl"?,"webhookUrl"?,"idempotencyKey"}: an order for the cashier.
// 201 {"id","outTradeNo","status","payUrl"}; the same idempotencyKey again: 200 with the same order.
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http";
import { createdView, createOrder, createOrderInput } from "@/lib/pay/orders";
import { services } from "@/lib/services";
import { requireInternalCaller } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

export const POST = route({ authorize: requireInternalCaller, body: createOrderInput }, async (_request, { body }) => {
  const pay = services.pay;
  if (!pay) throw new AppError("pay_disabled");
  const { order, replayed } = await createOrder(pay, body);
  return Response.json(createdView(pay, order), {
    status: replayed ? 200 : 201,
    headers: { "cache-control": "no-store" },
  });
});
