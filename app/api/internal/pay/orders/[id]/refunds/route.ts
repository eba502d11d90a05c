// POST (Bearer INTERNAL_API_SECRET) {"amount","reason","idempotencyKey"}: a refund of part or all of a paid
// order, never above what is left of it. 201 the refund (pending, processing, success, or failed with
// WeChat Pay's reason); the same idempotencyKey again: 200 with the same refund.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http";
import { INTERNAL_CALLER } from "@/lib/pay/orders";
import { placeRefund, refundInput, refundView } from "@/lib/pay/refunds";
import { services } from "@/lib/services";
import { requireInternalCaller } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });

export const POST = route(
  { authorize: requireInternalCaller, params, body: refundInput },
  async (_request, { params, body }) => {
    const pay = services.pay;
    if (!pay) throw new AppError("pay_disabled");
    const { refund, replayed } = await placeRefund(pay, { ...body, orderId: params.id, createdBy: INTERNAL_CALLER });
    return Response.json(refundView(refund), {
      status: replayed ? 200 : 201,
      headers: { "cache-control": "no-store" },
    });
  },
);
