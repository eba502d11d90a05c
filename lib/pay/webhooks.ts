// Webhooks to the server that made an order (its webhookUrl): one PayWebhook row per (order, event key),
// written in the same transaction as the change it announces (paid, closed, a refund's outcome), so an
// event is never lost nor doubled; its body is fixed when it is made. Delivery (deliverDueWebhooks) signs
// each attempt afresh, records it in PayWebhookAttempt and retries on nextWebhookAttempt's schedule until
// a 2xx, for 24 hours.
import { payQueries, type Db, type SqlTx } from "@/lib/db";
import { newId } from "@/lib/db/ids";
import { log } from "@/lib/log";
import { WEBHOOK_HEADERS, nextWebhookAttempt, signWebhook } from "./rules";

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

/** How long one delivery attempt may take. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** While an attempt is under way its next attempt is pushed this far (another runner does not send it too). */
const ATTEMPT_LEASE_MS = 60_000;

/** The HTTP round trip of a delivery: the answer's status, or a thrown error for no answer. */
export type WebhookPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
) => Promise<number>;

/** fetch, no redirects followed (a 3xx is not a delivery), the answer's body not read. */
export const fetchWebhookPost: WebhookPost = async (url, init) => {
  const response = await fetch(url, {
    method: "POST",
    headers: init.headers,
    body: init.body,
    redirect: "manual",
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  await response.body?.cancel().catch(() => {});
  return response.status;
};

export interface WebhookDeps {
  readonly db: Db;
  readonly now: () => Date;
  readonly webhookSecret: string | null;
}

/** One attempt of one webhook: signed afresh, its outcome recorded, its next attempt (or failure) set. */
async function attempt(
  deps: WebhookDeps,
  secret: string,
  hook: { id: string; url: string; body: string; event: string; attempts: number; createdAt: Date },
  post: WebhookPost,
): Promise<"delivered" | "retry" | "failed" | "skipped"> {
  const started = deps.now();
  const n = hook.attempts + 1;
  // Claimed by its attempt count: of two runners at once, one sends.
  const { count } = await deps.db.payWebhook.updateMany({
    where: { id: hook.id, state: "pending", attempts: hook.attempts },
    data: { attempts: n, nextAttemptAt: new Date(started.getTime() + ATTEMPT_LEASE_MS) },
  });
  if (count === 0) return "skipped";
  const timestamp = Math.floor(started.getTime() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  const t0 = performance.now();
  try {
    status = await post(hook.url, {
      headers: {
        "content-type": "application/json",
        "user-agent": "wechat-user-center-webhooks/1",
        [WEBHOOK_HEADERS.id]: hook.id,
        [WEBHOOK_HEADERS.event]: hook.event,
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, hook.body),
      },
      body: hook.body,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
    });
  } catch (e) {
    error = e instanceof Error ? (e.name === "TimeoutError" ? "timeout" : e.message).slice(0, 200) : "no answer";
  }
  const ms = Math.round(performance.now() - t0);
  const now = deps.now();
  const delivered = status !== null && status >= 200 && status < 300;
  const next = delivered ? null : nextWebhookAttempt(hook.createdAt, n, now);
  const state = delivered ? "delivered" : next ? "pending" : "failed";
  await deps.db.$transaction([
    deps.db.payWebhookAttempt.create({ data: { webhookId: hook.id, n, at: started, status, error, ms } }),
    deps.db.payWebhook.update({
      where: { id: hook.id },
      data: {
        state,
        nextAttemptAt: next,
        lastStatus: status,
        lastError: error ?? (delivered ? null : `HTTP ${status}`),
        ...(delivered ? { deliveredAt: now } : {}),
      },
    }),
  ]);
  return delivered ? "delivered" : next ? "retry" : "failed";
}

/**
 * The sweep's part for webhooks: every pending webhook whose attempt is due (oldest first, `limit` a
 * run), a few at a time. How many were delivered, will be tried again, and failed for good.
 */
export async function deliverDueWebhooks(
  deps: WebhookDeps,
  options: { post?: WebhookPost; limit?: number; concurrency?: number } = {},
): Promise<{ delivered: number; retry: number; failed: number }> {
  const tally = { delivered: 0, retry: 0, failed: 0 };
  if (!deps.webhookSecret) {
    log.warn("pay_webhooks_unsigned", { reason: "PAY_WEBHOOK_SECRET is not set: webhooks wait, unsent" });
    return tally;
  }
  const secret = deps.webhookSecret;
  const due = await deps.db.payWebhook.findMany({
    where: { state: "pending", nextAttemptAt: { lte: deps.now() } },
    orderBy: { nextAttemptAt: "asc" },
    take: options.limit ?? 100,
    select: { id: true, url: true, body: true, event: true, attempts: true, createdAt: true },
  });
  const post = options.post ?? fetchWebhookPost;
  const queue = [...due];
  // A slow receiver holds up only its own slot.
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, queue.length) }, async () => {
    for (let hook = queue.shift(); hook; hook = queue.shift()) {
      const outcome = await attempt(deps, secret, hook, post);
      if (outcome !== "skipped") tally[outcome]++;
    }
  });
  await Promise.all(workers);
  return tally;
}

/** queueWebhook inside a transaction on the driver (applyPayment's): the same row, by a named query. */
export async function queueWebhookSql(
  sql: SqlTx,
  at: Date,
  order: WebhookOrder,
  type: WebhookEvent,
  eventKey: string,
  refund?: WebhookRefund,
): Promise<void> {
  if (!order.webhookUrl) return;
  const id = newId("wh");
  await sql.run(payQueries.insertWebhook, {
    id,
    orderId: order.id,
    event: type,
    eventKey,
    url: order.webhookUrl,
    body: webhookBody(id, type, at, order, refund),
    at,
  });
}
