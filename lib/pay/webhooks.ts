// Webhooks to the server that made an order (its webhookUrl): one PayWebhook row per (order, event key),
// written in the same transaction as the change it announces (paid, closed, a refund's outcome), so an
// event is never lost nor doubled; its body is fixed when it is made. Delivery (deliverDueWebhooks) signs
// each attempt afresh, records it in PayWebhookAttempt and retries on nextWebhookAttempt's schedule until
// a 2xx, for 24 hours.
import type { Db } from "@/lib/db";
import { newId } from "@/lib/db/ids";

/** The transaction client of Db.$transaction. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export type WebhookEvent = "order.paid" | "order.closed" | "order.refunded" | "order.refund_failed";

/** What a webhook tells of the order (as it is after the change). */
export interface WebhookOrder {
  readonly id: string;
  readonly outTradeNo: string;
  readonly state: string;
  readonly amount: number;
  readonly refundedAmount: number;
  readonly transactionId: string | null;
  readonly attach: string | null;
  readonly paidAt: Date | null;
  readonly closedAt: Date | null;
  readonly webhookUrl: string | null;
}

/** What a refund event tells of the refund. */
export interface WebhookRefund {
  readonly id: string;
  readonly outRefundNo: string;
  readonly amount: number;
  readonly state: string;
  readonly reason: string | null;
  readonly successAt: Date | null;
  readonly error: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The event's JSON (documented in the README's pay section). */
export function webhookBody(
  id: string,
  type: WebhookEvent,
  at: Date,
  order: WebhookOrder,
  refund?: WebhookRefund,
): string {
  return JSON.stringify({
    id,
    type,
    createdAt: at.toISOString(),
    order: {
      id: order.id,
      outTradeNo: order.outTradeNo,
      status: order.state,
      amount: order.amount,
      refundedAmount: order.refundedAmount,
      transactionId: order.transactionId,
      attach: order.attach,
      paidAt: iso(order.paidAt),
      closedAt: iso(order.closedAt),
    },
    ...(refund
      ? {
          refund: {
            id: refund.id,
            outRefundNo: refund.outRefundNo,
            amount: refund.amount,
            status: refund.state,
            reason: refund.reason,
            successAt: iso(refund.successAt),
            error: refund.error,
          },
        }
      : {}),
  });
}

/**
 * Writes the webhook of a change inside the transaction that made it, when the order has a webhookUrl.
 * `eventKey` (paid | closed | refund:<out_refund_no>:<status>) is unique per order: the caller's
 * conditional update already makes the change once, and the key makes sure of it.
 */
export async function queueWebhook(
  tx: Tx,
  at: Date,
  order: WebhookOrder,
  type: WebhookEvent,
  eventKey: string,
  refund?: WebhookRefund,
): Promise<void> {
  if (!order.webhookUrl) return;
  const id = newId("wh");
  await tx.payWebhook.create({
    data: {
      id,
      orderId: order.id,
      event: type,
      eventKey,
      url: order.webhookUrl,
      body: webhookBody(id, type, at, order, refund),
      state: "pending",
      nextAttemptAt: at,
      createdAt: at,
    },
  });
}
