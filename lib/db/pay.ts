// The named queries of a payment notification (lib/pay/notify.ts), run on the driver: through Prisma each
// statement cost about 0.5 ms of CPU, four times a bare request per notification (bench/pay.ts). One
// text for both databases, as people.ts: `:name` parameters, quoted identifiers, no casts; the columns
// Prisma fills itself (ids, "updatedAt") are given here.
import { namedQuery, type SqlTime } from "./driver";

/** What a notification is held against. Integers may come back as text from a driver: Number() them. */
export type NotifiedOrder = {
  id: string;
  appId: string;
  mchid: string;
  outTradeNo: string;
  amount: number | string;
  openid: string;
  refundedAmount: number | string;
  attach: string | null;
  closedAt: SqlTime | null;
  webhookUrl: string | null;
};

export const orderByOutTradeNo = namedQuery<NotifiedOrder, { outTradeNo: string }>(
  "pay.orderByOutTradeNo",
  `SELECT "id", "appId", "mchid", "outTradeNo", "amount", "openid", "refundedAmount", "attach", "closedAt",
          "webhookUrl"
   FROM "PayOrder" WHERE "outTradeNo" = :outTradeNo`,
);

/** The notification's id first: a concurrent copy waits on the unique key, then inserts nothing (0 rows). */
export const insertNotified = namedQuery<never, { id: string; orderId: string; ref: string; at: Date; detail: string }>(
  "pay.insertNotified",
  `INSERT INTO "PayOrderEvent" ("id", "orderId", "kind", "ref", "detail", "at")
   VALUES (:id, :orderId, 'notified', :ref, :detail, :at)
   ON CONFLICT ("orderId", "kind", "ref") DO NOTHING`,
);

/** Paid once: the conditional update changes no row when the order is paid already. */
export const markPaid = namedQuery<
  never,
  { id: string; paidAt: Date; transactionId: string; payerTotal: number | null; now: Date }
>(
  "pay.markPaid",
  `UPDATE "PayOrder" SET "state" = 'paid', "paidAt" = :paidAt, "transactionId" = :transactionId,
          "payerTotal" = :payerTotal, "nextCheckAt" = NULL, "updatedAt" = :now
   WHERE "id" = :id AND "paidAt" IS NULL`,
);

export const insertPaid = namedQuery<never, { id: string; orderId: string; at: Date; detail: string }>(
  "pay.insertPaid",
  `INSERT INTO "PayOrderEvent" ("id", "orderId", "kind", "ref", "detail", "at")
   VALUES (:id, :orderId, 'paid', NULL, :detail, :at)`,
);

/** The same PayWebhook row as lib/pay/webhooks.ts's queueWebhook writes through Prisma. */
export const insertWebhook = namedQuery<
  never,
  { id: string; orderId: string; event: string; eventKey: string; url: string; body: string; at: Date }
>(
  "pay.insertWebhook",
  `INSERT INTO "PayWebhook" ("id", "orderId", "event", "eventKey", "url", "body", "state", "attempts",
                             "nextAttemptAt", "createdAt")
   VALUES (:id, :orderId, :event, :eventKey, :url, :body, 'pending', 0, :at, :at)`,
);
