// The cashier (/pay/<id>) for the signed-in person: their order as the page shows it, the JSAPI prepay
// made once per order and the getBrandWCPayRequest parameters signed here (the merchant key never
// reaches the page), the order's state for the page's polling, 我的订单, and 体验支付 in development.
//
// One prepay per order, also for two taps at once on two instances: the order row is the claim. A
// tapper that finds no valid prepay_id takes the claim by a conditional update on what it read
// (prepayId and prepayExpiresAt exactly as seen) to "being made until <claimUntil>" (prepayId null,
// prepayExpiresAt a few seconds ahead); only one such update can match. The winner asks WeChat Pay, the
// others wait for its prepay_id on the row. A claimer that dies leaves a claim that runs out by itself;
// one that fails puts back what it found. WeChat Pay answers the same out_trade_no with the same
// content with the same prepay_id for 2 hours, so even a taker of a run-out claim gets the same one.
import { AppError, type AppErrorCode } from "@/lib/errors";
import { WeChatPayApiError, type BridgePayRequest } from "@/lib/wechat/pay";
import type { PayDeps } from "./deps";
import { createOrder, getOrder } from "./orders";
import { reconcileOrder } from "./reconcile";
import { FIRST_CHECK_AFTER_PREPAY_MS, onAllowedOrigin } from "./rules";

type OrderRow = Awaited<ReturnType<typeof getOrder>>;

/** A prepay_id this close to its 2 hours is not handed to a page any more: a new one is asked for. */
export const PREPAY_RENEW_BEFORE_MS = 10 * 60_000;
/** How long a claim to make the prepay holds (WeChat Pay's call with its retries fits in it). */
export const PREPAY_CLAIM_MS = 20_000;
/** How long a tap waits for another tap's prepay before answering pay_busy. */
export const PREPAY_WAIT_MS = 10_000;
const PREPAY_WAIT_STEP_MS = 100;

/** What the person sees of an order's state (and the page's polling answers). */
export type PayStatus = "unpaid" | "paid" | "partially_refunded" | "refunded" | "closed" | "expired";

export const PAY_STATUS_LABEL: Record<PayStatus, string> = {
  unpaid: "待支付",
  paid: "已支付",
  partially_refunded: "部分退款",
  refunded: "已退款",
  closed: "已关闭",
  // Past its time and not closed by the sweep yet: it can no longer be paid, which is what 已关闭 says.
  expired: "已关闭",
};

/** A refund's state as the person reads it. */
export const REFUND_STATE_LABEL: Record<string, string> = {
  pending: "退款中",
  processing: "退款中",
  success: "已退款",
  closed: "退款关闭",
  abnormal: "退款异常",
  failed: "退款失败",
};

type StatusFields = Pick<OrderRow, "state" | "expiresAt" | "refundedAmount" | "amount">;

export function payStatus(order: StatusFields, now: Date): PayStatus {
  if (order.state === "refunded") return "refunded";
  if (order.state === "paid") return order.refundedAmount > 0 ? "partially_refunded" : "paid";
  if (order.state === "closed") return "closed";
  return order.expiresAt.getTime() <= now.getTime() ? "expired" : "unpaid";
}

/** Why the order cannot be paid now, or null. */
export function unpayableReason(order: StatusFields, now: Date): AppErrorCode | null {
  const status = payStatus(order, now);
  if (status === "unpaid") return null;
  if (status === "closed") return "pay_order_closed";
  if (status === "expired") return "pay_order_expired";
  return "pay_order_paid";
}

export type PrepayStep =
  { readonly kind: "reuse"; readonly prepayId: string } | { readonly kind: "wait" } | { readonly kind: "claim" };

/** What a tap does with the order's stored prepay: use it, wait for another tap's, or make one. */
export function prepayStep(order: Pick<OrderRow, "prepayId" | "prepayExpiresAt">, now: Date): PrepayStep {
  const until = order.prepayExpiresAt?.getTime() ?? null;
  if (order.prepayId && until !== null && until - now.getTime() > PREPAY_RENEW_BEFORE_MS) {
    return { kind: "reuse", prepayId: order.prepayId };
  }
  if (!order.prepayId && until !== null && until > now.getTime()) return { kind: "wait" };
  return { kind: "claim" };
}

/** `¥0.01` from 1 fen. */
export function yuan(fen: number): string {
  return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

/** The order's returnUrl when it is still on an allowed origin (or ours), else null: the page links only there. */
export function safeReturnUrl(
  deps: Pick<PayDeps, "allowedOrigins" | "appUrl">,
  returnUrl: string | null,
): string | null {
  if (returnUrl === null) return null;
  return onAllowedOrigin(returnUrl, [...deps.allowedOrigins, new URL(deps.appUrl).origin]) ? returnUrl : null;
}

/** The order as its payer's pages show it. */
export function cashierView(deps: Pick<PayDeps, "allowedOrigins" | "appUrl">, order: OrderRow, now: Date) {
  const status = payStatus(order, now);
  return {
    id: order.id,
    outTradeNo: order.outTradeNo,
    description: order.description,
    amount: order.amount,
    amountLabel: yuan(order.amount),
    status,
    statusLabel: PAY_STATUS_LABEL[status],
    refundedAmount: order.refundedAmount,
    returnUrl: safeReturnUrl(deps, order.returnUrl),
    expiresAt: order.expiresAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
  };
}

export type CashierView = ReturnType<typeof cashierView>;

/**
 * The order if it is `userId`'s. Someone else's is pay_order_not_yours (403) and the answer says nothing
 * of it; an unknown id is pay_order_not_found (404).
 */
export async function ownOrder(deps: Pick<PayDeps, "db" | "appId">, orderId: string, userId: string) {
  const order = await getOrder(deps, orderId);
  if (order.userId !== userId) throw new AppError("pay_order_not_yours", { detail: `order ${orderId}` });
  return order;
}

export interface PrepareOptions {
  /** How a waiting tap waits between looks at the row (tests may pass their own). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function refuse(order: OrderRow, now: Date): void {
  const reason = unpayableReason(order, now);
  if (reason) throw new AppError(reason, { extra: { status: payStatus(order, now) } });
}

/**
 * The getBrandWCPayRequest parameters for paying `orderId` as `userId`: the stored prepay_id while it
 * is valid, else one made now with `POST /v3/pay/transactions/jsapi` (one per order however many taps
 * arrive at once; see the top of this file), then signed with the merchant key.
 */
export async function preparePayment(
  deps: PayDeps,
  orderId: string,
  userId: string,
  options: PrepareOptions = {},
): Promise<{ order: CashierView; bridge: BridgePayRequest }> {
  const sleep = options.sleep ?? realSleep;
  const deadline = deps.now().getTime() + PREPAY_WAIT_MS;
  let order = await ownOrder(deps, orderId, userId);
  for (;;) {
    const now = deps.now();
    refuse(order, now);
    const step = prepayStep(order, now);
    if (step.kind === "reuse") return signed(deps, order, step.prepayId, now);
    if (step.kind === "claim") {
      const made = await claimAndPrepay(deps, order, now);
      if (made) return signed(deps, order, made, deps.now());
    } else if (now.getTime() >= deadline) {
      throw new AppError("pay_busy", { detail: "another tap's prepay is still being made" });
    } else {
      await sleep(PREPAY_WAIT_STEP_MS);
    }
    order = await ownOrder(deps, orderId, userId);
  }
}

async function signed(deps: PayDeps, order: OrderRow, prepayId: string, now: Date) {
  const client = await deps.client();
  return { order: cashierView(deps, order, now), bridge: client.signBridgeRequest(prepayId) };
}

/** Takes the claim and makes the prepay: its prepay_id, or null when another tap took the claim first. */
async function claimAndPrepay(deps: PayDeps, order: OrderRow, now: Date): Promise<string | null> {
  const seen = { prepayId: order.prepayId, prepayExpiresAt: order.prepayExpiresAt };
  const claimUntil = new Date(now.getTime() + PREPAY_CLAIM_MS);
  const { count } = await deps.db.payOrder.updateMany({
    where: { id: order.id, state: "unpaid", prepayId: seen.prepayId, prepayExpiresAt: seen.prepayExpiresAt },
    data: { prepayId: null, prepayExpiresAt: claimUntil },
  });
  if (count === 0) return null;

  let prepay: { prepayId: string; expiresAt: number };
  try {
    const client = await deps.client();
    prepay = await client.createJsapiOrder({
      outTradeNo: order.outTradeNo,
      description: order.description,
      amount: order.amount,
      payerOpenid: order.openid,
      notifyUrl: deps.notifyUrl,
      timeExpire: order.expiresAt.getTime(),
      ...(order.attach === null ? {} : { attach: order.attach }),
    });
  } catch (error) {
    // Back to what it was, so that the next tap need not wait for the claim to run out.
    await deps.db.payOrder.updateMany({
      where: { id: order.id, prepayId: null, prepayExpiresAt: claimUntil },
      data: seen,
    });
    throw await prepayRefusal(deps, order, error);
  }

  // The same prepay_id again (asked before its 2 hours were up) keeps the expiry it was given.
  const expiresAt =
    prepay.prepayId === seen.prepayId && seen.prepayExpiresAt ? seen.prepayExpiresAt : new Date(prepay.expiresAt);
  const at = deps.now();
  // The sweep asks WeChat Pay a few minutes from now, in case no notification comes.
  const firstCheck = new Date(Math.min(at.getTime() + FIRST_CHECK_AFTER_PREPAY_MS, order.expiresAt.getTime()));
  const nextCheckAt = order.nextCheckAt && order.nextCheckAt < firstCheck ? order.nextCheckAt : firstCheck;
  await deps.db.$transaction(async (db) => {
    const written = await db.payOrder.updateMany({
      where: { id: order.id, prepayId: null, prepayExpiresAt: claimUntil },
      data: { prepayId: prepay.prepayId, prepayExpiresAt: expiresAt, nextCheckAt },
    });
    // The claim ran out and another tap took it: it writes the same prepay_id (same out_trade_no).
    if (written.count === 0 || prepay.prepayId === seen.prepayId) return;
    await db.payOrderEvent.create({
      data: {
        orderId: order.id,
        kind: "prepay",
        ref: prepay.prepayId,
        at,
        detail: JSON.stringify({ expiresAt: expiresAt.toISOString(), renewed: seen.prepayId !== null }),
      },
    });
  });
  return prepay.prepayId;
}

/** WeChat Pay's refusal of the prepay in the cashier's words; a paid order is looked at by the sweep now. */
async function prepayRefusal(deps: PayDeps, order: OrderRow, error: unknown): Promise<unknown> {
  if (!(error instanceof WeChatPayApiError)) return error;
  if (error.code === "ORDERPAID") {
    // WeChat Pay has it paid and we do not yet: the query will tell (a notification may be on its way).
    await deps.db.payOrder.updateMany({ where: { id: order.id, paidAt: null }, data: { nextCheckAt: deps.now() } });
    return new AppError("pay_order_paid", { cause: error, extra: { status: "paid" } });
  }
  if (error.code === "ORDER_CLOSED") {
    return new AppError("pay_order_closed", { cause: error, extra: { status: "closed" } });
  }
  return error;
}

/**
 * The order's state for the page's polling (its payer only). With `ask` (the page heard WeChat's answer
 * and the order is still unpaid) WeChat Pay is asked too (reconcileOrder: at most once per few seconds per
 * order, whoever asks); `get_brand_wcpay_request:ok` alone never makes an order paid.
 */
export async function orderStatus(
  deps: PayDeps,
  orderId: string,
  userId: string,
  options: { ask?: boolean } = {},
): Promise<CashierView> {
  let order = await ownOrder(deps, orderId, userId);
  if (options.ask && order.state === "unpaid") order = await reconcileOrder(deps, order.id);
  return cashierView(deps, order, deps.now());
}

/** 我的订单: the person's orders, newest first, with their refunds. */
export async function myOrders(
  deps: Pick<PayDeps, "db" | "appId" | "allowedOrigins" | "appUrl" | "now">,
  userId: string,
) {
  const orders = await deps.db.payOrder.findMany({
    where: { userId, appId: deps.appId },
    orderBy: { createdAt: "desc" },
    take: 50,
    include: { refunds: { orderBy: { createdAt: "asc" } } },
  });
  const now = deps.now();
  return orders.map((order) => ({
    ...cashierView(deps, order, now),
    refunds: order.refunds.map((refund) => ({
      id: refund.id,
      amount: refund.amount,
      amountLabel: yuan(refund.amount),
      state: refund.state,
      stateLabel: REFUND_STATE_LABEL[refund.state] ?? "退款中",
      reason: refund.reason,
      createdAt: refund.createdAt.toISOString(),
      successAt: refund.successAt?.toISOString() ?? null,
    })),
  }));
}

export type MyOrder = Awaited<ReturnType<typeof myOrders>>[number];

/** The caller of 体验支付's orders: their idempotency keys are per person, apart from the internal API's. */
export const TRIAL_CALLER = "trial";
export const TRIAL_AMOUNT_FEN = 1;
export const TRIAL_DESCRIPTION = "体验支付";

/**
 * 体验支付 ¥0.01: a 1-fen order for the signed-in person, back to 我的订单 when done. The page's key makes
 * a double tap one order.
 */
export async function createTrialOrder(deps: PayDeps, userId: string, key: string) {
  const { order } = await createOrder(
    deps,
    {
      userId,
      description: TRIAL_DESCRIPTION,
      amount: TRIAL_AMOUNT_FEN,
      returnUrl: `${deps.appUrl}/me/orders`,
      idempotencyKey: `${userId}:${key}`,
    },
    TRIAL_CALLER,
  );
  return { id: order.id, payUrl: `/pay/${order.id}` };
}
