/**
 * WeChat Pay's books in the simulator: orders by out_trade_no, their prepay_ids, payments and refunds,
 * with the rules WeChat Pay enforces (docs/wechat-protocol.md, "WeChat Pay API v3"):
 * - an order is identified by out_trade_no; asking again with the same content answers the same
 *   prepay_id (a new one once the old is 2 hours old), with other content OUT_TRADE_NO_USED;
 * - a paid order answers ORDERPAID, a closed one ORDER_CLOSED; a closed order can never be paid;
 * - refunds are keyed by out_refund_no (the same one again is the same refund), at most 50 per order, and
 *   their sum (all but CLOSED ones) never above what was paid.
 * Plain data and the simulator clock; the HTTP layer is routes.ts.
 */
import { beijingTime } from "./protocol";

export const PREPAY_TTL_MS = 2 * 3600 * 1000;
export const MAX_REFUNDS = 50;
/** Refunds are taken within a year of payment. */
export const REFUND_WINDOW_MS = 365 * 24 * 3600 * 1000;

export type TradeState = "NOTPAY" | "SUCCESS" | "REFUND" | "CLOSED";
export type RefundStatus = "PROCESSING" | "SUCCESS" | "ABNORMAL" | "CLOSED";

export interface PayFailure {
  readonly code: string;
  readonly message?: string;
  readonly detail?: Record<string, unknown>;
}

export interface OrderTerms {
  readonly appid: string;
  readonly mchid: string;
  readonly description: string;
  readonly outTradeNo: string;
  readonly total: number;
  readonly openid: string;
  readonly notifyUrl: string;
  readonly attach: string | null;
  /** ms epoch or null. */
  readonly timeExpire: number | null;
}

export interface SimOrder extends OrderTerms {
  readonly createdAt: number;
  state: TradeState;
  prepayId: string;
  prepayAt: number;
  /** Every prepay_id handed out for it (an old one stays unpayable). */
  readonly prepayIds: string[];
  transactionId: string | null;
  successTime: number | null;
  payerTotal: number | null;
  readonly refunds: string[];
}

export interface RefundTerms {
  readonly outRefundNo: string;
  readonly outTradeNo: string | null;
  readonly transactionId: string | null;
  readonly refund: number;
  readonly total: number;
  readonly reason: string | null;
  readonly notifyUrl: string | null;
}

export interface SimRefund {
  readonly refundId: string;
  readonly outRefundNo: string;
  readonly outTradeNo: string;
  readonly transactionId: string;
  readonly refund: number;
  readonly total: number;
  readonly reason: string | null;
  readonly notifyUrl: string | null;
  readonly createdAt: number;
  status: RefundStatus;
  successTime: number | null;
}

const fail = (code: string, message?: string, detail?: Record<string, unknown>): PayFailure => ({
  code,
  ...(message === undefined ? {} : { message }),
  ...(detail === undefined ? {} : { detail }),
});

function sameTerms(a: OrderTerms, b: OrderTerms): boolean {
  return (
    a.appid === b.appid &&
    a.mchid === b.mchid &&
    a.description === b.description &&
    a.total === b.total &&
    a.openid === b.openid &&
    a.notifyUrl === b.notifyUrl &&
    a.attach === b.attach &&
    a.timeExpire === b.timeExpire
  );
}

export class PayLedger {
  private readonly orders = new Map<string, SimOrder>();
  private readonly byTransaction = new Map<string, string>();
  private readonly byPrepay = new Map<string, string>();
  private readonly refunds = new Map<string, SimRefund>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.orders.clear();
    this.byTransaction.clear();
    this.byPrepay.clear();
    this.refunds.clear();
    this.seq = 0;
  }

  private next(): number {
    return ++this.seq;
  }

  /** `wx` + Beijing time to the second + 20 hex: the shape of WeChat Pay's prepay_ids (36 characters). */
  private prepayIdFor(): string {
    const digits = beijingTime(this.now()).slice(0, 19).replace(/\D/g, "");
    return `wx${digits}${this.next().toString(16).padStart(20, "0")}`;
  }

  private day(): string {
    return beijingTime(this.now()).slice(0, 10).replace(/-/g, "");
  }

  // ---- orders ----

  order(outTradeNo: string): SimOrder | undefined {
    return this.orders.get(outTradeNo);
  }

  orderByTransaction(transactionId: string): SimOrder | undefined {
    const no = this.byTransaction.get(transactionId);
    return no === undefined ? undefined : this.orders.get(no);
  }

  orderByPrepay(prepayId: string): SimOrder | undefined {
    const no = this.byPrepay.get(prepayId);
    return no === undefined ? undefined : this.orders.get(no);
  }

  allOrders(): SimOrder[] {
    return [...this.orders.values()];
  }

  /** JSAPI prepay: the prepay_id to pay the order with, or why not. */
  prepay(terms: OrderTerms): { prepayId: string } | PayFailure {
    const now = this.now();
    const existing = this.orders.get(terms.outTradeNo);
    if (existing) {
      if (existing.state === "SUCCESS" || existing.state === "REFUND") return fail("ORDERPAID");
      if (!sameTerms(existing, terms)) return fail("OUT_TRADE_NO_USED");
      if (existing.state === "CLOSED") return fail("ORDER_CLOSED");
      if (now - existing.prepayAt < PREPAY_TTL_MS) return { prepayId: existing.prepayId };
      const prepayId = this.prepayIdFor();
      existing.prepayId = prepayId;
      existing.prepayAt = now;
      existing.prepayIds.push(prepayId);
      this.byPrepay.set(prepayId, existing.outTradeNo);
      return { prepayId };
    }
    if (terms.timeExpire !== null && terms.timeExpire <= now) {
      return fail("PARAM_ERROR", "time_expire时间不能早于当前时间", {
        field: "time_expire",
        value: beijingTime(terms.timeExpire),
        issue: "time_expire时间不能早于当前时间",
        location: "body",
      });
    }
    const prepayId = this.prepayIdFor();
    this.orders.set(terms.outTradeNo, {
      ...terms,
      createdAt: now,
      state: "NOTPAY",
      prepayId,
      prepayAt: now,
      prepayIds: [prepayId],
      transactionId: null,
      successTime: null,
      payerTotal: null,
      refunds: [],
    });
    this.byPrepay.set(prepayId, terms.outTradeNo);
    return { prepayId };
  }

  /** Why a payment of this prepay_id by this openid cannot happen now, or null. */
  payProblem(prepayId: string, openid?: string): string | null {
    const order = this.orderByPrepay(prepayId);
    if (!order) return "prepay_id不存在";
    if (order.prepayId !== prepayId || this.now() - order.prepayAt >= PREPAY_TTL_MS) return "prepay_id已失效";
    if (order.state === "SUCCESS" || order.state === "REFUND") return "该订单已支付";
    if (order.state === "CLOSED") return "该订单已关闭";
    if (order.timeExpire !== null && this.now() >= order.timeExpire) return "该订单已过期";
    if (openid !== undefined && openid !== order.openid) return "支付者与下单用户不一致";
    return null;
  }

  /** The payer confirmed in WeChat: the order is paid (call payProblem first). */
  markPaid(prepayId: string): SimOrder {
    const order = this.orderByPrepay(prepayId);
    if (!order || this.payProblem(prepayId) !== null) throw new Error("markPaid without a payable prepay_id");
    order.state = "SUCCESS";
    order.transactionId = `4200${this.day().slice(0, 8)}${String(this.next()).padStart(16, "0")}`;
    order.successTime = this.now();
    order.payerTotal = order.total;
    this.byTransaction.set(order.transactionId, order.outTradeNo);
    return order;
  }

  close(outTradeNo: string): true | PayFailure {
    const order = this.orders.get(outTradeNo);
    if (!order) return fail("ORDER_NOT_EXIST");
    if (order.state === "SUCCESS" || order.state === "REFUND") return fail("ORDERPAID");
    if (order.state === "CLOSED") return fail("ORDER_CLOSED");
    order.state = "CLOSED";
    return true;
  }

  /** The transaction as WeChat Pay answers a query and notifies it. */
  transaction(order: SimOrder, overrideTotal?: number): Record<string, unknown> {
    const paid = order.state === "SUCCESS" || order.state === "REFUND";
    const total = overrideTotal ?? order.total;
    const desc: Record<TradeState, string> = {
      NOTPAY: "订单未支付",
      SUCCESS: "支付成功",
      REFUND: "订单发生过退款",
      CLOSED: "订单已关闭",
    };
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      ...(paid
        ? {
            transaction_id: order.transactionId,
            trade_type: "JSAPI",
            bank_type: "OTHERS",
            success_time: beijingTime(order.successTime ?? 0),
          }
        : {}),
      trade_state: order.state,
      trade_state_desc: desc[order.state],
      attach: order.attach ?? "",
      payer: paid ? { openid: order.openid } : {},
      amount: paid
        ? { total, payer_total: overrideTotal ?? order.payerTotal, currency: "CNY", payer_currency: "CNY" }
        : { total, payer_currency: "CNY" },
      promotion_detail: [],
    };
  }

  // ---- refunds ----

  refund(outRefundNo: string): SimRefund | undefined {
    return this.refunds.get(outRefundNo);
  }

  /** What has been refunded or is being refunded (all but CLOSED refunds). */
  refunded(order: SimOrder): number {
    return order.refunds
      .map((no) => this.refunds.get(no)!)
      .filter((r) => r.status !== "CLOSED")
      .reduce((sum, r) => sum + r.refund, 0);
  }

  createRefund(terms: RefundTerms): { refund: SimRefund; created: boolean } | PayFailure {
    const order =
      terms.transactionId !== null
        ? this.orderByTransaction(terms.transactionId)
        : this.orders.get(terms.outTradeNo ?? "");
    const existing = this.refunds.get(terms.outRefundNo);
    if (existing) {
      const same =
        order?.outTradeNo === existing.outTradeNo && existing.refund === terms.refund && existing.total === terms.total;
      if (!same) return fail("INVALID_REQUEST", "订单金额或退款金额与之前请求不一致，请核实后再试");
      return { refund: existing, created: false };
    }
    if (!order) return fail("RESOURCE_NOT_EXISTS", "订单不存在");
    if (order.state !== "SUCCESS" && order.state !== "REFUND") return fail("INVALID_REQUEST", "订单未支付，不能退款");
    if (terms.total !== order.total) {
      return fail("PARAM_ERROR", "订单金额与实际支付金额不一致", {
        field: "amount.total",
        value: terms.total,
        issue: "订单金额与实际支付金额不一致",
        location: "body",
      });
    }
    if (this.now() - (order.successTime ?? 0) > REFUND_WINDOW_MS) {
      return fail("INVALID_REQUEST", "交易时间超过一年的订单无法提交退款");
    }
    if (order.refunds.length >= MAX_REFUNDS) return fail("INVALID_REQUEST", "部分退款次数已达上限（50次）");
    if (terms.refund > order.total - this.refunded(order)) {
      return fail("INVALID_REQUEST", "申请退款金额超过订单可退金额");
    }
    const refund: SimRefund = {
      refundId: `5030${this.day()}${String(this.next()).padStart(17, "0")}`,
      outRefundNo: terms.outRefundNo,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId!,
      refund: terms.refund,
      total: terms.total,
      reason: terms.reason,
      notifyUrl: terms.notifyUrl,
      createdAt: this.now(),
      status: "PROCESSING",
      successTime: null,
    };
    this.refunds.set(refund.outRefundNo, refund);
    order.refunds.push(refund.outRefundNo);
    order.state = "REFUND";
    return { refund, created: true };
  }

  /** A PROCESSING refund reaches its end. */
  finishRefund(outRefundNo: string, status: Exclude<RefundStatus, "PROCESSING">): SimRefund | string {
    const refund = this.refunds.get(outRefundNo);
    if (!refund) return "unknown out_refund_no";
    if (refund.status !== "PROCESSING") return `the refund is already ${refund.status}`;
    refund.status = status;
    if (status === "SUCCESS") refund.successTime = this.now();
    return refund;
  }

  /** The refund as the refund call and query answer it. */
  refundBody(refund: SimRefund): Record<string, unknown> {
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      ...(refund.successTime === null ? {} : { success_time: beijingTime(refund.successTime) }),
      create_time: beijingTime(refund.createdAt),
      status: refund.status,
      funds_account: "AVAILABLE",
      amount: {
        total: refund.total,
        refund: refund.refund,
        from: [],
        payer_total: refund.total,
        payer_refund: refund.refund,
        settlement_refund: refund.refund,
        settlement_total: refund.total,
        discount_refund: 0,
        currency: "CNY",
      },
      promotion_detail: [],
    };
  }

  /** A REFUND.* notification's resource. */
  refundNotice(refund: SimRefund, mchid: string): Record<string, unknown> {
    return {
      mchid,
      out_trade_no: refund.outTradeNo,
      transaction_id: refund.transactionId,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_status: refund.status,
      ...(refund.successTime === null ? {} : { success_time: beijingTime(refund.successTime) }),
      user_received_account: "支付用户零钱",
      amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
    };
  }
}
