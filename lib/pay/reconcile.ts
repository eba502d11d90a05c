// Asking WeChat Pay about an unpaid order (查询订单) and acting on its answer: what it says is paid is
// applied by the same exactly-once path as a notification (applyPayment, source "query:…", an incident
// when it does not match); an order past its expiry is closed (关闭订单) so that it can never be paid,
// then closed here. The cashier's poll and the sweep both come here; a conditional update on
// lastQueriedAt lets one caller ask per interval however many ask at once (on however many instances).
import { log } from "@/lib/log";
import { isWeChatPayApiError, PAID_STATES, type PayTransaction } from "@/lib/wechat/pay";
import type { PayDeps } from "./deps";
import { applyPayment } from "./notify";
import { getOrder } from "./orders";
import { nextOrderCheck } from "./rules";
import { queueWebhook } from "./webhooks";

type OrderRow = Awaited<ReturnType<typeof getOrder>>;

/** One question to WeChat Pay per order per this interval, whoever asks. */
export const QUERY_INTERVAL_MS = 5_000;
/** After a failed question (WeChat Pay busy, unreachable), the sweep asks again this much later. */
export const RETRY_QUERY_AFTER_MS = 60_000;

export interface ReconcileOptions {
  /** Ask only when the last question is at least this old (default QUERY_INTERVAL_MS). */
  readonly minIntervalMs?: number;
  /** Throw WeChat Pay's outage instead of logging it and answering the order as it is. */
  readonly throwOnError?: boolean;
}

/** What a query said, as recorded in the order's timeline (PayOrderEvent "queried"). */
type Outcome = "paid" | "already_paid" | "incident" | "closed" | "not_paid" | "paying" | "not_at_wechat_pay" | "failed";

async function recordQuery(deps: PayDeps, order: OrderRow, at: Date, detail: Record<string, unknown>): Promise<void> {
  await deps.db.payOrderEvent.create({
    data: { orderId: order.id, kind: "queried", at, detail: JSON.stringify(detail) },
  });
}

/** The order closed here (it can no longer be paid at WeChat Pay), once, with its event and webhook. */
async function closeHere(deps: PayDeps, order: OrderRow, now: Date, via: string): Promise<void> {
  await deps.db.$transaction(async (db) => {
    const { count } = await db.payOrder.updateMany({
      where: { id: order.id, state: "unpaid", paidAt: null },
      data: { state: "closed", closedAt: now, nextCheckAt: null },
    });
    if (count === 0) return;
    await db.payOrderEvent.create({
      data: { orderId: order.id, kind: "closed", at: now, detail: JSON.stringify({ via }) },
    });
    await queueWebhook(db, now, { ...order, state: "closed", closedAt: now }, "order.closed", "closed");
  });
}

async function schedule(deps: PayDeps, order: OrderRow, at: Date | null): Promise<void> {
  await deps.db.payOrder.updateMany({ where: { id: order.id, state: "unpaid" }, data: { nextCheckAt: at } });
}

async function applyPaid(deps: PayDeps, order: OrderRow, tx: PayTransaction): Promise<Outcome> {
  const result = await applyPayment(deps, tx, null);
  // A paid order that does not match ours is for people (the console's incidents), not for more queries.
  if (result === "incident") await schedule(deps, order, null);
  return result === "applied" ? "paid" : result === "incident" ? "incident" : "already_paid";
}

async function ask(deps: PayDeps, order: OrderRow, now: Date): Promise<{ outcome: Outcome; tradeState: string }> {
  const client = await deps.client();
  let tx: PayTransaction | null;
  try {
    tx = await client.queryOrder(order.outTradeNo);
  } catch (error) {
    // No prepay ever reached WeChat Pay (or it was lost): nothing there to pay.
    if (!(isWeChatPayApiError(error) && error.code === "ORDER_NOT_EXIST")) throw error;
    tx = null;
  }
  const tradeState = tx?.tradeState ?? "ORDER_NOT_EXIST";
  if (tx && PAID_STATES.has(tx.tradeState)) return { outcome: await applyPaid(deps, order, tx), tradeState };
  if (tx?.tradeState === "CLOSED" || tx?.tradeState === "REVOKED") {
    await closeHere(deps, order, now, "query");
    return { outcome: "closed", tradeState };
  }
  const expired = now.getTime() >= order.expiresAt.getTime();
  if (tx?.tradeState === "USERPAYING" || !expired) {
    // Not paid yet: asked again before the expiry, then at it (or in a minute while the payer is paying).
    await schedule(deps, order, nextOrderCheck(now, order.expiresAt));
    return { outcome: tx?.tradeState === "USERPAYING" ? "paying" : tx ? "not_paid" : "not_at_wechat_pay", tradeState };
  }
  // Expired unpaid: closed at WeChat Pay first, so that nobody can pay it after we say it is closed.
  try {
    await client.closeOrder(order.outTradeNo);
  } catch (error) {
    if (isWeChatPayApiError(error) && error.code === "ORDERPAID") {
      // Paid between the query and the close: what WeChat Pay says now is what counts.
      const paid = await client.queryOrder(order.outTradeNo);
      if (PAID_STATES.has(paid.tradeState))
        return { outcome: await applyPaid(deps, order, paid), tradeState: paid.tradeState };
      throw error;
    }
    if (!(isWeChatPayApiError(error) && error.code === "ORDER_NOT_EXIST")) throw error;
  }
  await closeHere(deps, order, now, "expired");
  return { outcome: "closed", tradeState };
}

/**
 * Asks WeChat Pay about an unpaid order and applies the answer; returns the order as it is afterwards.
 * Paid, refunded and closed orders are returned as they are; an unpaid one with no prepay yet and before
 * its expiry has nothing at WeChat Pay to ask about. Asked at most once per `minIntervalMs` across
 * callers. WeChat Pay's outages are logged and leave the order unpaid, asked again a minute later.
 * Throws pay_order_not_found for an unknown id.
 */
export async function reconcileOrder(
  deps: PayDeps,
  orderId: string,
  options: ReconcileOptions = {},
): Promise<OrderRow> {
  const order = await getOrder(deps, orderId);
  if (order.state !== "unpaid") return order;
  const now = deps.now();
  const expired = now.getTime() >= order.expiresAt.getTime();
  if (!order.prepayId && !expired) {
    if (order.nextCheckAt && order.nextCheckAt <= now) await schedule(deps, order, order.expiresAt);
    return getOrder(deps, orderId);
  }
  const since = new Date(now.getTime() - (options.minIntervalMs ?? QUERY_INTERVAL_MS));
  const { count } = await deps.db.payOrder.updateMany({
    where: { id: order.id, state: "unpaid", OR: [{ lastQueriedAt: null }, { lastQueriedAt: { lte: since } }] },
    data: { lastQueriedAt: now },
  });
  // Someone asked a moment ago (or it is no longer unpaid): their answer is in the row.
  if (count === 0) return getOrder(deps, orderId);
  try {
    const { outcome, tradeState } = await ask(deps, order, now);
    await recordQuery(deps, order, now, { outcome, tradeState });
  } catch (error) {
    const code = isWeChatPayApiError(error) ? error.code : error instanceof Error ? error.name : "unknown";
    log.warn("pay_query_failed", { orderId: order.id, outTradeNo: order.outTradeNo, payCode: code });
    await schedule(deps, order, new Date(now.getTime() + RETRY_QUERY_AFTER_MS));
    await recordQuery(deps, order, now, { outcome: "failed" satisfies Outcome, error: code });
    if (options.throwOnError) throw error;
  }
  return getOrder(deps, orderId);
}

/** The sweep's part for orders: every unpaid order whose nextCheckAt has come (oldest first, `limit` a run). */
export async function reconcileDueOrders(deps: PayDeps, limit = 100): Promise<number> {
  const due = await deps.db.payOrder.findMany({
    where: { state: "unpaid", nextCheckAt: { lte: deps.now() } },
    orderBy: { nextCheckAt: "asc" },
    take: limit,
    select: { id: true },
  });
  for (const { id } of due) await reconcileOrder(deps, id);
  return due.length;
}
