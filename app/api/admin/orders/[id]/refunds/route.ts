// POST {"amount","reason","idempotencyKey"?} (admins only): a refund of `amount` fen of this order, with the
// reason the payer sees, recorded as the signed-in staff member's (lib/pay/refunds requestRefund). Never
// above what can still be refunded: 409 pay_refund_exceeds, decided in one transaction. The console sends
// one idempotencyKey per opened form, so a double click or a retry refunds once; without one every request
// is a new refund. 201 with the refund (pending, processing, success, or failed with WeChat Pay's reason).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { AppError } from "@/lib/errors";
import { refundView, requestRefund } from "@/lib/pay/refunds";
import { services } from "@/lib/services";

const params = z.object({ id: z.string().min(1).max(64) });
const body = z
  .object({
    amount: z.number("退款金额应为整数（单位：分）").int("退款金额应为整数（单位：分）").positive("退款金额须大于 0"),
    reason: z
      .string("请填写退款原因")
      .trim()
      .min(1, "请填写退款原因")
      .refine((v) => Buffer.byteLength(v, "utf8") <= 80, "退款原因最多 80 字节（约 26 个汉字）")
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "退款原因不能包含控制字符"),
    idempotencyKey: z.string().min(1).max(100).optional(),
  })
  .strict();

export const POST = adminRoute({ params, body, status: 201 }, async (_request, { staff, params, body }) => {
  const pay = services.pay;
  if (!pay) throw new AppError("pay_disabled");
  const refund = await requestRefund(pay, {
    orderId: params.id,
    amount: body.amount,
    reason: body.reason,
    // Keys are per staff member: another's form never answers with this one's refund.
    idempotencyKey: `console:${staff.id}:${body.idempotencyKey ?? randomUUID()}`,
    createdBy: staff.email,
  });
  return { refund: refundView(refund) };
});
