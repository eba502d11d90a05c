// WeChat Pay's payment notifications (POST /api/pay/notify): opened by the client (signature, SIGNTEST,
// stale, decryption, merchant), then held against our order (appid, mchid, amount, payer) and applied
// exactly once however many copies arrive at once on however many instances: the notification's id is
// written first in the applying transaction (copies wait on its unique key, then find it), and the order
// moves to paid by a conditional update (paidAt still null), never by a read then a write. What does not
// match is a PayIncident, recorded once per source, and not applied. Refund notifications (REFUND.*) go
// to refunds.ts's applyRefundNotice, applied once the same way.
import { driverReturning, driverTransaction, newId, payQueries, sqlTime } from "@/lib/db";
import type { PayHeaders, PayTransaction } from "@/lib/wechat/pay";
import type { PayDeps } from "./deps";
import { recordIncident } from "./incidents";
import { applyRefundNotice, type RefundApplyResult } from "./refunds";
import { queueWebhookSql } from "./webhooks";

export type ApplyResult = "applied" | "duplicate" | "already_paid" | "incident";

/**
 * A paid transaction from a notification (`notificationId`) or a query (null), applied once. `source`
 * names it for incidents: `notification:<id>` or `query:<out_trade_no>:<transaction_id>`.
 */
export async function applyPayment(
  deps: PayDeps,
  tx: PayTransaction,
  notificationId: string | null,
): Promise<ApplyResult> {
  const source = notificationId ? `notification:${notificationId}` : `query:${tx.outTradeNo}:${tx.transactionId}`;
  // On the driver (prepared statements): through Prisma each statement cost ~0.5 ms of CPU (bench/pay.ts).
  const [row] = await driverReturning(deps.db, payQueries.orderByOutTradeNo, { outTradeNo: tx.outTradeNo });
  const order = row && { ...row, amount: Number(row.amount), refundedAmount: Number(row.refundedAmount) };
  if (!order) {
    await recordIncident(deps, { orderId: null, outTradeNo: tx.outTradeNo, kind: "unknown_order", source, detail: tx });
    return "incident";
  }
  const checks: [string, unknown, unknown][] = [
    ["merchant_mismatch", `${order.appId}/${order.mchid}`, `${tx.appid}/${tx.mchid}`],
    ["amount_mismatch", order.amount, tx.amount.total],
    ["amount_mismatch", "CNY", tx.amount.currency],
    ["payer_mismatch", order.openid, tx.payerOpenid ?? order.openid],
  ];
  const wrong = checks.find(([, expected, received]) => expected !== received);
  if (wrong) {
    const [kind, expected, received] = wrong;
    await recordIncident(deps, {
      orderId: order.id,
      outTradeNo: order.outTradeNo,
      kind,
      source,
      expected: String(expected),
      received: String(received),
      detail: tx,
    });
    // The query tells what WeChat Pay's books say, soon.
    await deps.db.payOrder.updateMany({ where: { id: order.id, paidAt: null }, data: { nextCheckAt: deps.now() } });
    return "incident";
  }
  const now = deps.now();
  const paidAt = new Date(tx.successTime ?? now.getTime());
  return driverTransaction(deps.db, async (sql) => {
    if (notificationId) {
      // First: a concurrent copy of this notification waits on the unique key, then inserts nothing.
      const fresh = await sql.run(payQueries.insertNotified, {
        id: newId("n"),
        orderId: order.id,
        ref: notificationId,
        at: now,
        detail: JSON.stringify({ transactionId: tx.transactionId }),
      });
      if (fresh === 0) return "duplicate";
    }
    const count = await sql.run(payQueries.markPaid, {
      id: order.id,
      paidAt,
      transactionId: tx.transactionId,
      payerTotal: tx.amount.payerTotal,
      now,
    });
    if (count === 0) return "already_paid";
    await sql.run(payQueries.insertPaid, {
      id: newId("n"),
      orderId: order.id,
      at: now,
      detail: JSON.stringify({ via: notificationId ? "notification" : "query", transactionId: tx.transactionId }),
    });
    // The other server hears of it from the same transaction: never lost, never twice.
    await queueWebhookSql(
      sql,
      now,
      {
        ...order,
        state: "paid",
        paidAt,
        transactionId: tx.transactionId,
        closedAt: order.closedAt === null ? null : sqlTime(order.closedAt),
      },
      "order.paid",
      "paid",
    );
    return "applied";
  });
}

/** A notification as received (raw body, headers): opened by WeChat Pay's client, then applied. Throws what the client refuses. */
export async function receivePaymentNotification(
  deps: PayDeps,
  headers: PayHeaders,
  body: string,
): Promise<ApplyResult | RefundApplyResult> {
  const notification = (await deps.client()).openNotification(headers, body);
  if (notification.kind === "refund") return applyRefundNotice(deps, notification.id, notification.refund);
  return applyPayment(deps, notification.transaction, notification.id);
}
