import "server-only";
// One WeChat Pay order as the console shows it: the order, its person, its refunds, its webhooks with every
// delivery attempt, its incidents, and one timeline merged from all of them, oldest first (newest last).
// Every read is by the order's id on an index (PayRefund(orderId, createdAt), PayOrderEvent(orderId, at),
// PayWebhook(orderId, eventKey), PayIncident(orderId)).
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { displayState, formatYuan } from "./order-query";

/** Events an order's page lists at most (a webhook retried for 24 hours has ~20 attempts). */
export const TIMELINE_LIMIT = 500;

export interface TimelineEntry {
  readonly at: Date;
  /** event:<kind> | refund | refund_success | webhook_attempt | incident | incident_resolved */
  readonly kind: string;
  readonly title: string;
  readonly detail: string | null;
  /** the entry went wrong (a refused refund, a webhook without a 2xx, an incident) */
  readonly bad: boolean;
}

const EVENT_TITLE: Record<string, string> = {
  created: "创建订单",
  prepay: "生成预支付（prepay_id）",
  notified: "收到支付通知",
  queried: "查询订单",
  paid: "支付成功",
  closed: "订单关闭",
  close: "订单关闭",
  expired: "订单过期",
  incident: "记录异常",
  refund_requested: "申请退款",
  refund_processing: "微信支付受理退款",
  refund_success: "退款成功",
  refund_closed: "退款关闭",
  refund_abnormal: "退款异常",
  refund_failed: "退款失败",
};

export const REFUND_STATE_LABEL: Record<string, string> = {
  pending: "待提交",
  processing: "退款中",
  success: "退款成功",
  closed: "已关闭",
  abnormal: "退款异常",
  failed: "退款失败",
};

export const INCIDENT_KIND_LABEL: Record<string, string> = {
  amount_mismatch: "金额不符",
  payer_mismatch: "付款人不符",
  merchant_mismatch: "商户号或 AppID 不符",
  unknown_order: "未知订单",
  unknown_refund: "未知退款",
  refund_mismatch: "退款不符",
  refund_abnormal: "退款异常",
};

export const WEBHOOK_STATE_LABEL: Record<string, string> = {
  pending: "投递中",
  delivered: "已送达",
  failed: "投递失败",
};

/** A short summary of an event's JSON detail: its fields as `key=value`, never more than 300 characters. */
function summarise(detail: string | null): string | null {
  if (!detail) return null;
  try {
    const parsed: unknown = JSON.parse(detail);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const text = Object.entries(parsed as Record<string, unknown>)
        .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
        .join("，");
      return text.slice(0, 300);
    }
  } catch {
    // not JSON: shown as it is
  }
  return detail.slice(0, 300);
}

export async function getOrderDetail(db: Db, id: string) {
  const order = await db.payOrder.findUnique({
    where: { id },
    include: {
      refunds: { orderBy: { createdAt: "asc" } },
      events: { orderBy: { at: "asc" }, take: TIMELINE_LIMIT },
      webhooks: { orderBy: { createdAt: "asc" }, include: { attemptLog: { orderBy: { n: "asc" } } } },
    },
  });
  if (!order) return null;
  const [user, incidents] = await Promise.all([
    db.user.findUnique({ where: { id: order.userId }, select: { id: true, nickname: true } }),
    db.payIncident.findMany({ where: { orderId: id }, orderBy: { createdAt: "asc" } }),
  ]);

  const timeline: TimelineEntry[] = [];
  const refundEvents = new Set(order.events.filter((e) => e.kind.startsWith("refund") && e.ref).map((e) => e.ref));
  const refundsByNo = new Map(order.refunds.map((r) => [r.outRefundNo, r]));
  for (const e of order.events) {
    // A refund's event names its amount and, when asked for, who asked and why.
    const refund = e.kind.startsWith("refund_") && e.ref ? refundsByNo.get(e.ref) : undefined;
    const title = EVENT_TITLE[e.kind] ?? e.kind;
    timeline.push({
      at: e.at,
      kind: `event:${e.kind}`,
      title: refund ? `${title} ${formatYuan(refund.amount)}` : title,
      detail: refund
        ? [
            refund.outRefundNo,
            e.kind === "refund_requested" ? refund.createdBy : null,
            e.kind === "refund_requested" ? refund.reason : null,
            e.kind === "refund_failed" || e.kind === "refund_abnormal" ? refund.error : null,
          ]
            .filter(Boolean)
            .join(" · ")
        : [e.ref, summarise(e.detail)].filter(Boolean).join(" · ") || null,
      bad: e.kind === "refund_failed" || e.kind === "refund_abnormal" || e.kind === "refund_mismatch",
    });
  }
  for (const r of order.refunds) {
    // A refund whose own events are on the timeline is told by them; the others by their row.
    if (refundEvents.has(r.outRefundNo)) continue;
    timeline.push({
      at: r.createdAt,
      kind: "refund",
      title: `申请退款 ${formatYuan(r.amount)}`,
      detail: `${r.outRefundNo} · ${r.createdBy}${r.reason ? ` · ${r.reason}` : ""}`,
      bad: false,
    });
    if (r.successAt) {
      timeline.push({
        at: r.successAt,
        kind: "refund_success",
        title: `退款成功 ${formatYuan(r.amount)}`,
        detail: r.outRefundNo,
        bad: false,
      });
    } else if (r.state === "failed" || r.state === "closed" || r.state === "abnormal") {
      timeline.push({
        at: r.updatedAt,
        kind: "refund_failed",
        title: `${REFUND_STATE_LABEL[r.state] ?? r.state} ${formatYuan(r.amount)}`,
        detail: [r.outRefundNo, r.error].filter(Boolean).join(" · "),
        bad: true,
      });
    }
  }
  for (const w of order.webhooks) {
    for (const a of w.attemptLog) {
      const ok = a.status !== null && a.status >= 200 && a.status < 300;
      timeline.push({
        at: a.at,
        kind: "webhook_attempt",
        title: `Webhook ${w.event} 第 ${a.n} 次投递：${a.status === null ? "无应答" : `HTTP ${a.status}`}`,
        detail: [`${a.ms} ms`, a.error].filter(Boolean).join(" · "),
        bad: !ok,
      });
    }
  }
  for (const i of incidents) {
    timeline.push({
      at: i.createdAt,
      kind: "incident",
      title: `异常：${INCIDENT_KIND_LABEL[i.kind] ?? i.kind}`,
      detail: [
        i.expected !== null ? `应为 ${i.expected}` : null,
        i.received !== null ? `收到 ${i.received}` : null,
        i.source,
      ]
        .filter(Boolean)
        .join(" · "),
      bad: true,
    });
    if (i.resolvedAt)
      timeline.push({
        at: i.resolvedAt,
        kind: "incident_resolved",
        title: "异常已处理",
        detail: i.resolvedBy,
        bad: false,
      });
  }
  // Oldest first; at the same instant, in the order written above (stable sort).
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime());

  const refundable = order.state === "paid" ? Math.max(0, order.amount - order.refundReserved) : 0;
  return {
    order: {
      id: order.id,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      appId: order.appId,
      mchid: order.mchid,
      userId: order.userId,
      openid: order.openid,
      nickname: user?.nickname ?? null,
      userExists: user !== null,
      description: order.description,
      attach: order.attach,
      amount: order.amount,
      payerTotal: order.payerTotal,
      state: order.state,
      displayState: displayState(order),
      refundReserved: order.refundReserved,
      refundedAmount: order.refundedAmount,
      refundable,
      returnUrl: order.returnUrl,
      webhookUrl: order.webhookUrl,
      caller: order.caller,
      createdAt: order.createdAt,
      paidAt: order.paidAt,
      expiresAt: order.expiresAt,
      closedAt: order.closedAt,
    },
    refunds: order.refunds.map((r) => ({
      id: r.id,
      outRefundNo: r.outRefundNo,
      refundId: r.refundId,
      amount: r.amount,
      reason: r.reason,
      createdBy: r.createdBy,
      state: r.state,
      error: r.error,
      createdAt: r.createdAt,
      successAt: r.successAt,
    })),
    webhooks: order.webhooks.map((w) => ({
      id: w.id,
      event: w.event,
      url: w.url,
      state: w.state,
      attempts: w.attemptLog.map((a) => ({ n: a.n, at: a.at, status: a.status, error: a.error, ms: a.ms })),
      nextAttemptAt: w.nextAttemptAt,
      deliveredAt: w.deliveredAt,
    })),
    incidents: incidents.map((i) => ({
      id: i.id,
      kind: i.kind,
      source: i.source,
      expected: i.expected,
      received: i.received,
      createdAt: i.createdAt,
      resolvedAt: i.resolvedAt,
      resolvedBy: i.resolvedBy,
    })),
    timeline,
  };
}

export type OrderDetail = NonNullable<Awaited<ReturnType<typeof getOrderDetail>>>;

/**
 * Marks an order's incident resolved by `staffEmail`, once: a conditional update (resolvedAt still null),
 * so two staff members at once record one of them; resolving it again answers it as it is.
 */
export async function resolveIncident(
  deps: { db: Db; now: () => Date },
  orderId: string,
  incidentId: string,
  staffEmail: string,
) {
  const { count } = await deps.db.payIncident.updateMany({
    where: { id: incidentId, orderId, resolvedAt: null },
    data: { resolvedAt: deps.now(), resolvedBy: staffEmail },
  });
  const incident = await deps.db.payIncident.findFirst({ where: { id: incidentId, orderId } });
  if (!incident) throw new AppError("pay_incident_not_found");
  return { resolved: count === 1, resolvedAt: incident.resolvedAt, resolvedBy: incident.resolvedBy };
}
