// Refunds (申请退款), from the console (createdBy: the staff member's email) and the internal API
// (createdBy: internal). Money first: the amount is reserved on the order (refundReserved) by a conditional
// update in the transaction that writes the refund, so concurrent refunds on however many instances never
// add up to more than was paid; only then is WeChat Pay asked, with our out_refund_no, which makes sending
// it again safe. Its answer, a later query (查询单笔退款) or its notification (REFUND.*) moves the refund
// forward, once, by conditional updates:
//   pending ──accepted──> processing ──SUCCESS──> success (refundedAmount; the order refunded when all is back)
//      │                      ├──CLOSED──> closed (the reservation given back)
//      │                      └──ABNORMAL─> abnormal (kept reserved, an incident: act by hand)
//      └──refused (verified INVALID_REQUEST, NOT_ENOUGH, …)──> failed (the reservation given back)
// An outage or an answer we cannot trust leaves it pending: the sweep sends it again, same out_refund_no.
import { z } from "zod";
import { AppError, toAppError } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/db/errors";
import { log } from "@/lib/log";
import {
  MAX_REFUNDS_PER_ORDER,
  WeChatPayApiError,
  type PayRefund as WeChatRefund,
  type RefundNotice,
  type RefundStatus,
} from "@/lib/wechat/pay";
import type { PayDeps } from "./deps";
import { recordIncident } from "./incidents";
import { MAX_AMOUNT_FEN, getOrder } from "./orders";
import { newOutRefundNo, requestHash } from "./rules";
import { queueWebhook, type Tx } from "./webhooks";

const bytes = (v: string) => Buffer.byteLength(v, "utf8");

/** The internal API's body (POST /api/internal/pay/orders/<id>/refunds); the console's is the same. */
export const refundInput = z
  .object({
    amount: z
      .number()
      .int("amount 须为正整数（单位：分）。")
      .positive("amount 须为正整数（单位：分）。")
      .max(MAX_AMOUNT_FEN, "amount 超出上限。")
      .describe("fen, a positive integer; at most what is left of the order"),
    reason: z
      .string()
      .refine(
        (v) => v.trim() !== "" && bytes(v) <= 80 && !/[\u0000-\u001f\u007f]/.test(v),
        "reason 须为 1–80 字节的文字（会展示给付款人）。",
      )
      .describe("shown to the payer, 1–80 bytes (UTF-8)"),
    idempotencyKey: z.string().min(1).max(128).describe("the same key again returns the same refund"),
  })
  .strict();

export type RefundInput = z.infer<typeof refundInput>;

export interface RefundRequest extends RefundInput {
  readonly orderId: string;
  /** "internal" (the internal API) or the staff member's email. */
  readonly createdBy: string;
}

export type RefundRow = NonNullable<Awaited<ReturnType<PayDeps["db"]["payRefund"]["findUnique"]>>>;
type OrderRow = Awaited<ReturnType<typeof getOrder>>;

/** A pending refund not yet accepted is sent again this long after (by the sweep). */
export const REFUND_RESEND_AFTER_MS = 60_000;
/** A processing refund whose notification has not come is asked about this long after, then again. */
export const REFUND_QUERY_AFTER_MS = 5 * 60_000;

/** A refund as the internal API and the order's view show it. */
export function refundView(refund: RefundRow) {
  return {
    id: refund.id,
    outRefundNo: refund.outRefundNo,
    amount: refund.amount,
    reason: refund.reason,
    status: refund.state,
    error: refund.error,
    payCode: refund.payCode,
    createdBy: refund.createdBy,
    createdAt: refund.createdAt.toISOString(),
    successAt: refund.successAt?.toISOString() ?? null,
  };
}

/** An order's refunds, oldest first. */
export function listRefunds(deps: Pick<PayDeps, "db">, orderId: string): Promise<RefundRow[]> {
  return deps.db.payRefund.findMany({ where: { orderId }, orderBy: { createdAt: "asc" } });
}

/** Why an order cannot take this refund (the error the caller sees), read after a reservation failed. */
function refusal(order: OrderRow, amount: number): AppError {
  if (order.state === "unpaid" || order.state === "closed") return new AppError("pay_order_not_paid");
  const left = order.amount - order.refundReserved;
  return new AppError("pay_refund_exceeds", {
    userMessage: `退款金额超过订单可退金额（可退 ${left} 分，申请 ${amount} 分）。`,
    extra: { refundable: left },
  });
}

/**
 * Asks for a refund; returns the refund (pending, processing, success, or failed with WeChat Pay's reason
 * in Chinese), and whether an earlier request with the same idempotencyKey made it (`replayed`). Throws
 * pay_order_not_found, pay_order_not_paid, pay_refund_exceeds, pay_refund_limit or pay_key_reused.
 */
export async function placeRefund(
  deps: PayDeps,
  request: RefundRequest,
): Promise<{ refund: RefundRow; replayed: boolean }> {
  const hash = requestHash({ amount: request.amount, reason: request.reason });
  const earlier = async () => {
    const refund = await deps.db.payRefund.findUnique({
      where: { orderId_idempotencyKey: { orderId: request.orderId, idempotencyKey: request.idempotencyKey } },
    });
    if (refund && refund.requestHash !== hash) throw new AppError("pay_key_reused");
    return refund;
  };
  const first = await earlier();
  if (first) return { refund: first, replayed: true };

  const order = await getOrder(deps, request.orderId);
  if (order.state !== "paid") throw refusal(order, request.amount);
  const made = await deps.db.payRefund.count({ where: { orderId: order.id, state: { not: "failed" } } });
  if (made >= MAX_REFUNDS_PER_ORDER) throw new AppError("pay_refund_limit");

  const now = deps.now();
  let refund: RefundRow | null;
  try {
    refund = await deps.db.$transaction(async (db) => {
      // The reservation: what is reserved plus this never above what was paid, decided by the database.
      const { count } = await db.payOrder.updateMany({
        where: { id: order.id, state: "paid", refundReserved: { lte: order.amount - request.amount } },
        data: { refundReserved: { increment: request.amount } },
      });
      if (count === 0) return null;
      const row = await db.payRefund.create({
        data: {
          orderId: order.id,
          outRefundNo: newOutRefundNo(now, deps.randomBytes),
          amount: request.amount,
          reason: request.reason,
          createdBy: request.createdBy,
          state: "pending",
          idempotencyKey: request.idempotencyKey,
          requestHash: hash,
          // Should this process die before WeChat Pay answers, the sweep sends it.
          nextCheckAt: new Date(now.getTime() + REFUND_RESEND_AFTER_MS),
          createdAt: now,
        },
      });
      await db.payOrderEvent.create({
        data: {
          orderId: order.id,
          kind: "refund_requested",
          ref: row.outRefundNo,
          at: now,
          detail: JSON.stringify({ amount: row.amount, reason: row.reason, createdBy: row.createdBy }),
        },
      });
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The same key at the same moment: the other request's refund (its transaction, ours rolled back).
    const other = await earlier();
    if (other) return { refund: other, replayed: true };
    throw error;
  }
  if (!refund) throw refusal(await getOrder(deps, order.id), request.amount);
  return { refund: await sendRefund(deps, refund, order), replayed: false };
}

/** placeRefund's refund alone: what the console's refund route calls (createdBy: the staff member's email). */
export async function requestRefund(deps: PayDeps, request: RefundRequest): Promise<RefundRow> {
  return (await placeRefund(deps, request)).refund;
}

/** Whether WeChat Pay really said no (a verified refusal), as opposed to an outage or an answer we cannot trust. */
function isRefusal(error: unknown): error is WeChatPayApiError {
  return (
    error instanceof WeChatPayApiError &&
    error.verified &&
    !["retry", "quota", "fix_config"].includes(error.info.action)
  );
}

/** Sends a pending refund to WeChat Pay (again: the same out_refund_no) and applies the answer. */
export async function sendRefund(deps: PayDeps, refund: RefundRow, order?: OrderRow): Promise<RefundRow> {
  const o = order ?? (await getOrder(deps, refund.orderId));
  const client = await deps.client();
  let answer: WeChatRefund;
  try {
    answer = await client.refund({
      outTradeNo: o.outTradeNo,
      outRefundNo: refund.outRefundNo,
      refund: refund.amount,
      total: o.amount,
      reason: refund.reason ?? undefined,
      notifyUrl: deps.notifyUrl,
    });
  } catch (error) {
    if (isRefusal(error)) {
      await failRefund(deps, refund, error);
    } else {
      const code = error instanceof WeChatPayApiError ? error.code : error instanceof Error ? error.name : "unknown";
      log.warn("pay_refund_unsent", { refundId: refund.id, outRefundNo: refund.outRefundNo, payCode: code });
      await deps.db.payRefund.updateMany({
        where: { id: refund.id, state: "pending" },
        data: { nextCheckAt: new Date(deps.now().getTime() + REFUND_RESEND_AFTER_MS) },
      });
    }
    return deps.db.payRefund.findUniqueOrThrow({ where: { id: refund.id } });
  }
  await applyRefundStatus(deps, refund.outRefundNo, {
    status: answer.status,
    refundId: answer.refundId,
    successTime: answer.successTime,
    outTradeNo: answer.outTradeNo,
    amount: answer.amount.refund,
    total: answer.amount.total,
    source: `query:${o.outTradeNo}:${refund.outRefundNo}`,
    notificationId: null,
    detail: answer,
  });
  return deps.db.payRefund.findUniqueOrThrow({ where: { id: refund.id } });
}

/** WeChat Pay refused it: failed with its reason in Chinese, the reservation given back, once. */
async function failRefund(deps: PayDeps, refund: RefundRow, error: WeChatPayApiError): Promise<void> {
  const now = deps.now();
  const message = toAppError(error, "rejected").userMessage;
  await deps.db.$transaction(async (db) => {
    const { count } = await db.payRefund.updateMany({
      where: { id: refund.id, state: "pending" },
      data: { state: "failed", error: message, payCode: error.code, nextCheckAt: null },
    });
    if (count === 0) return;
    await db.payOrder.update({ where: { id: refund.orderId }, data: { refundReserved: { decrement: refund.amount } } });
    await db.payOrderEvent.create({
      data: {
        orderId: refund.orderId,
        kind: "refund_failed",
        ref: refund.outRefundNo,
        at: now,
        detail: JSON.stringify({ payCode: error.code, error: message }),
      },
    });
  });
}

export type RefundApplyResult = "applied" | "duplicate" | "unchanged" | "incident";

interface RefundFacts {
  readonly status: RefundStatus;
  readonly refundId: string;
  readonly successTime: number | null;
  readonly outTradeNo: string;
  /** This refund, fen. */
  readonly amount: number;
  /** The order's amount, fen. */
  readonly total: number;
  /** notification:<id> or query:<out_trade_no>:<out_refund_no>, for incidents. */
  readonly source: string;
  readonly notificationId: string | null;
  readonly detail: unknown;
}

/** Where a refund may come from for each status it moves to (a conditional update's states). */
const FROM: Record<RefundStatus, string[]> = {
  PROCESSING: ["pending"],
  SUCCESS: ["pending", "processing", "abnormal"],
  CLOSED: ["pending", "processing", "abnormal"],
  ABNORMAL: ["pending", "processing"],
};

const STATE: Record<RefundStatus, string> = {
  PROCESSING: "processing",
  SUCCESS: "success",
  CLOSED: "closed",
  ABNORMAL: "abnormal",
};

/**
 * What WeChat Pay says of a refund (its answer, a query or a notification), held against ours (order,
 * amount) and applied once: a mismatch or an unknown refund is an incident, not applied.
 */
export async function applyRefundStatus(
  deps: PayDeps,
  outRefundNo: string,
  facts: RefundFacts,
): Promise<RefundApplyResult> {
  const refund = await deps.db.payRefund.findUnique({ where: { outRefundNo }, include: { order: true } });
  if (!refund) {
    await recordIncident(deps, {
      orderId: null,
      outTradeNo: facts.outTradeNo,
      outRefundNo,
      kind: "unknown_refund",
      source: facts.source,
      detail: facts.detail,
    });
    return "incident";
  }
  const { order } = refund;
  const checks: [unknown, unknown][] = [
    [order.outTradeNo, facts.outTradeNo],
    [refund.amount, facts.amount],
    [order.amount, facts.total],
  ];
  const wrong = checks.find(([expected, received]) => expected !== received);
  if (wrong) {
    await recordIncident(deps, {
      orderId: order.id,
      outTradeNo: order.outTradeNo,
      outRefundNo,
      kind: "refund_mismatch",
      source: facts.source,
      expected: String(wrong[0]),
      received: String(wrong[1]),
      detail: facts.detail,
    });
    return "incident";
  }
  const now = deps.now();
  try {
    return await deps.db.$transaction(async (db) => {
      if (facts.notificationId) {
        // First, as for payments: a concurrent copy waits here, then fails on the unique key.
        await db.payOrderEvent.create({
          data: {
            orderId: order.id,
            kind: "notified",
            ref: facts.notificationId,
            at: now,
            detail: JSON.stringify({ outRefundNo, status: facts.status }),
          },
        });
      }
      const next = STATE[facts.status];
      const { count } = await db.payRefund.updateMany({
        where: { id: refund.id, state: { in: FROM[facts.status] } },
        data: {
          state: next,
          refundId: facts.refundId,
          ...(facts.status === "SUCCESS" ? { successAt: new Date(facts.successTime ?? now.getTime()) } : {}),
          ...(facts.status === "ABNORMAL"
            ? { error: "退款异常：原路退回失败（如银行卡已注销），需在商户平台处理。" }
            : {}),
          nextCheckAt: facts.status === "PROCESSING" ? new Date(now.getTime() + REFUND_QUERY_AFTER_MS) : null,
        },
      });
      if (count === 0) return "unchanged";
      await db.payOrderEvent.create({
        data: {
          orderId: order.id,
          kind: `refund_${next}`,
          ref: outRefundNo,
          at: now,
          detail: JSON.stringify({ refundId: facts.refundId, via: facts.notificationId ? "notification" : "query" }),
        },
      });
      if (facts.status !== "PROCESSING") await settle(db, now, refund, facts.status);
      if (facts.status === "ABNORMAL") {
        // For people: the money could not go back the way it came (the console's incidents).
        await db.payIncident.create({
          data: {
            orderId: order.id,
            outTradeNo: order.outTradeNo,
            outRefundNo,
            kind: "refund_abnormal",
            source: facts.source,
            detail: JSON.stringify(facts.detail),
            createdAt: now,
          },
        });
      }
      return "applied";
    });
  } catch (error) {
    if (facts.notificationId && isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

/** A refund's end on the order (money back, or the reservation given back) and its webhook. */
async function settle(
  db: Tx,
  now: Date,
  refund: RefundRow & { order: OrderRow },
  status: Exclude<RefundStatus, "PROCESSING">,
): Promise<void> {
  let order = refund.order;
  if (status === "SUCCESS") {
    order = await db.payOrder.update({
      where: { id: order.id },
      data: { refundedAmount: { increment: refund.amount } },
    });
    if (order.refundedAmount >= order.amount && order.state === "paid") {
      order = await db.payOrder.update({ where: { id: order.id }, data: { state: "refunded" } });
    }
  } else if (status === "CLOSED") {
    order = await db.payOrder.update({
      where: { id: order.id },
      data: { refundReserved: { decrement: refund.amount } },
    });
  }
  const state = STATE[status];
  await queueWebhook(
    db,
    now,
    order,
    status === "SUCCESS" ? "order.refunded" : "order.refund_failed",
    `refund:${refund.outRefundNo}:${status}`,
    {
      id: refund.id,
      outRefundNo: refund.outRefundNo,
      amount: refund.amount,
      state,
      reason: refund.reason,
      successAt: status === "SUCCESS" ? now : null,
      error: status === "ABNORMAL" ? "退款异常" : status === "CLOSED" ? "退款关闭" : null,
    },
  );
}

/** A REFUND.* notification, opened and checked by the client, applied once. */
export function applyRefundNotice(deps: PayDeps, notificationId: string, notice: RefundNotice) {
  return applyRefundStatus(deps, notice.outRefundNo, {
    status: notice.refundStatus,
    refundId: notice.refundId,
    successTime: notice.successTime,
    outTradeNo: notice.outTradeNo,
    amount: notice.amount.refund,
    total: notice.amount.total,
    source: `notification:${notificationId}`,
    notificationId,
    detail: notice,
  });
}

/** Asks WeChat Pay about a processing refund and applies the answer. */
export async function queryRefund(deps: PayDeps, refund: RefundRow): Promise<RefundApplyResult> {
  const client = await deps.client();
  const answer = await client.queryRefund(refund.outRefundNo);
  const result = await applyRefundStatus(deps, refund.outRefundNo, {
    status: answer.status,
    refundId: answer.refundId,
    successTime: answer.successTime,
    outTradeNo: answer.outTradeNo,
    amount: answer.amount.refund,
    total: answer.amount.total,
    source: `query:${answer.outTradeNo}:${refund.outRefundNo}`,
    notificationId: null,
    detail: answer,
  });
  // Still processing: asked again later.
  if (result === "unchanged" && answer.status === "PROCESSING") {
    await deps.db.payRefund.updateMany({
      where: { id: refund.id, state: "processing" },
      data: { nextCheckAt: new Date(deps.now().getTime() + REFUND_QUERY_AFTER_MS) },
    });
  }
  return result;
}

/**
 * The sweep's part for refunds: pending ones whose time has come sent again (same out_refund_no), and
 * processing ones asked about; `limit` of each a run. How many of each.
 */
export async function sweepRefunds(deps: PayDeps, limit = 100): Promise<{ resent: number; queried: number }> {
  const now = deps.now();
  const due = (state: string) =>
    deps.db.payRefund.findMany({
      where: { state, nextCheckAt: { lte: now } },
      orderBy: { nextCheckAt: "asc" },
      take: limit,
    });
  const pending = await due("pending");
  for (const refund of pending) await sendRefund(deps, refund);
  const processing = await due("processing");
  for (const refund of processing) {
    try {
      await queryRefund(deps, refund);
    } catch (error) {
      const code = error instanceof WeChatPayApiError ? error.code : error instanceof Error ? error.name : "unknown";
      log.warn("pay_refund_query_failed", { refundId: refund.id, payCode: code });
      await deps.db.payRefund.updateMany({
        where: { id: refund.id, state: "processing" },
        data: { nextCheckAt: new Date(now.getTime() + REFUND_RESEND_AFTER_MS) },
      });
    }
  }
  return { resent: pending.length, queried: processing.length };
}
