// Orders from other servers (POST /api/internal/pay/orders): checked, tied to one of our people (their
// openid of our appid is the payer), and made once per idempotency key, also when two requests with the
// same key arrive at once (the unique (caller, idempotencyKey) decides; the loser answers the winner's).
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/db/errors";
import { isAmount, isOutTradeNo } from "@/lib/wechat/pay";
import type { PayDeps } from "./deps";
import { newOutTradeNo, onAllowedOrigin, requestHash } from "./rules";

const bytes = (v: string) => Buffer.byteLength(v, "utf8");
const noControl = (v: string) => !/[\u0000-\u001f\u007f]/.test(v);

export const DEFAULT_EXPIRES_IN_SECONDS = 1800;
export const MAX_AMOUNT_FEN = 1_000_000_000;

export const createOrderInput = z
  .object({
    userId: z.string().min(1).max(64).optional(),
    openid: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "openid 格式有误。")
      .optional(),
    description: z
      .string()
      .refine((v) => v.trim() !== "" && bytes(v) <= 127 && noControl(v), "description 须为 1–127 字节的文字。"),
    amount: z.number().refine((v) => isAmount(v) && v <= MAX_AMOUNT_FEN, "amount 须为正整数（单位：分）。"),
    outTradeNo: z.string().refine(isOutTradeNo, "outTradeNo 须为 6–32 位字母、数字或 _-|*。").optional(),
    attach: z
      .string()
      .refine((v) => bytes(v) <= 128 && noControl(v), "attach 最多 128 字节。")
      .optional(),
    expiresInSeconds: z.number().int().min(300, "expiresInSeconds 须为 300–604800 秒。").max(604_800).optional(),
    returnUrl: z.string().max(1024).optional(),
    webhookUrl: z.string().max(1024).optional(),
    idempotencyKey: z.string().min(1).max(128),
  })
  .strict()
  .refine((b) => (b.openid === undefined) !== (b.userId === undefined), "请给出 userId 或 openid 其中之一。");

export type CreateOrderInput = z.infer<typeof createOrderInput>;

export const INTERNAL_CALLER = "internal";

type OrderRow = NonNullable<Awaited<ReturnType<PayDeps["db"]["payOrder"]["findUnique"]>>>;

/** What POST /api/internal/pay/orders answers (201, or 200 for an earlier request with the same key). */
export function createdView(deps: Pick<PayDeps, "appUrl">, order: OrderRow) {
  return { id: order.id, outTradeNo: order.outTradeNo, status: order.state, payUrl: `${deps.appUrl}/pay/${order.id}` };
}

/** An order as the internal API shows it. */
export function orderView(deps: Pick<PayDeps, "appUrl">, order: OrderRow) {
  return {
    ...createdView(deps, order),
    userId: order.userId,
    openid: order.openid,
    description: order.description,
    amount: order.amount,
    attach: order.attach,
    returnUrl: order.returnUrl,
    webhookUrl: order.webhookUrl,
    transactionId: order.transactionId,
    paidAt: order.paidAt?.toISOString() ?? null,
    refundedAmount: order.refundedAmount,
    expiresAt: order.expiresAt.toISOString(),
    closedAt: order.closedAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
  };
}

/** Makes an order, or returns the one an earlier request with the same key made (`replayed`). */
export async function createOrder(
  deps: PayDeps,
  input: CreateOrderInput,
  caller = INTERNAL_CALLER,
): Promise<{ order: OrderRow; replayed: boolean }> {
  const hash = requestHash(input);
  const earlier = async () => {
    const order = await deps.db.payOrder.findUnique({
      where: { caller_idempotencyKey: { caller, idempotencyKey: input.idempotencyKey } },
    });
    if (order && order.requestHash !== hash) throw new AppError("pay_key_reused");
    return order;
  };
  const first = await earlier();
  if (first) return { order: first, replayed: true };

  const returnOrigins = [...deps.allowedOrigins, new URL(deps.appUrl).origin];
  const fields: { field: string; message: string }[] = [];
  if (input.returnUrl !== undefined && !onAllowedOrigin(input.returnUrl, returnOrigins))
    fields.push({ field: "returnUrl", message: "returnUrl 不在允许的域名内。" });
  if (input.webhookUrl !== undefined && !onAllowedOrigin(input.webhookUrl, deps.allowedOrigins))
    fields.push({ field: "webhookUrl", message: "webhookUrl 不在允许的域名内。" });
  if (fields.length > 0) throw new AppError("pay_origin_not_allowed", { extra: { fields } });

  const identity = await deps.db.identity.findFirst({
    where:
      input.userId !== undefined
        ? { appid: deps.appId, userId: input.userId }
        : { appid: deps.appId, openid: input.openid },
    orderBy: { createdAt: "asc" },
    select: { openid: true, userId: true },
  });
  if (!identity) throw new AppError("pay_user_not_found");

  const now = deps.now();
  const expiresAt = new Date(now.getTime() + (input.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS) * 1000);
  const client = await deps.client();
  try {
    const order = await deps.db.payOrder.create({
      data: {
        appId: deps.appId,
        mchid: client.mchid,
        outTradeNo: input.outTradeNo ?? newOutTradeNo(now, deps.randomBytes),
        userId: identity.userId,
        openid: identity.openid,
        description: input.description,
        amount: input.amount,
        attach: input.attach ?? null,
        state: "unpaid",
        returnUrl: input.returnUrl ?? null,
        webhookUrl: input.webhookUrl ?? null,
        caller,
        idempotencyKey: input.idempotencyKey,
        requestHash: hash,
        expiresAt,
        // Nothing was asked of WeChat Pay yet: the sweep's first look is at the expiry (to close it).
        nextCheckAt: expiresAt,
        createdAt: now,
        events: { create: { kind: "created", at: now, detail: JSON.stringify({ caller, amount: input.amount }) } },
      },
    });
    return { order, replayed: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The same key at the same moment: the other request's order is the answer.
    const other = await earlier();
    if (other) return { order: other, replayed: true };
    throw new AppError("pay_out_trade_no_used", { cause: error });
  }
}

/** An order by id, or 404. */
export async function getOrder(deps: Pick<PayDeps, "db" | "appId">, id: string): Promise<OrderRow> {
  const order = await deps.db.payOrder.findFirst({ where: { id, appId: deps.appId } });
  if (!order) throw new AppError("pay_order_not_found");
  return order;
}
