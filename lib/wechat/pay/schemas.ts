/**
 * WeChat Pay v3's JSON at the boundary: each answer and decrypted resource validated once with zod into a
 * readonly typed value (camelCase, times as ms epochs, amounts as integers in fen). A body that does not
 * fit is refused whole: for money, an unexpected shape is a reason to stop, not to guess.
 */
import { z } from "zod";
import { parseRfc3339 } from "./rules";

export const TRADE_STATES = ["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"] as const;
/**
 * SUCCESS paid; REFUND paid, then a refund was made (partial or full); NOTPAY not paid (yet); CLOSED
 * closed unpaid; REVOKED revoked (payment-code orders); USERPAYING being paid; PAYERROR the payment failed.
 */
export type TradeState = (typeof TRADE_STATES)[number];

export const REFUND_STATUSES = ["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"] as const;
/** PROCESSING accepted; SUCCESS money back; CLOSED refund closed; ABNORMAL failed (e.g. the card is gone): act by hand. */
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Paid states: the order carries a transaction_id, success_time and amounts. */
export const PAID_STATES: ReadonlySet<TradeState> = new Set(["SUCCESS", "REFUND"]);

const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const id = z.string().min(1).max(64);
const time = z.string().transform((value, ctx) => {
  const ms = parseRfc3339(value);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: "not an RFC 3339 time" });
    return z.NEVER;
  }
  return ms;
});
/** Absent, null and "" all mean nothing. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v ? v : null));
const optionalTime = z
  .union([z.literal(""), time])
  .nullish()
  .transform((v) => (typeof v === "number" ? v : null));

export interface PayAmount {
  /** The order's amount, fen. Null only on some unpaid answers. */
  readonly total: number | null;
  /** What the payer paid after coupons, fen (paid orders). */
  readonly payerTotal: number | null;
  readonly currency: string;
  readonly payerCurrency: string | null;
}

export interface PayTransaction {
  readonly appid: string;
  readonly mchid: string;
  readonly outTradeNo: string;
  /** WeChat Pay's order number; present once paid. */
  readonly transactionId: string | null;
  readonly tradeType: string | null;
  readonly tradeState: TradeState;
  readonly tradeStateDesc: string;
  readonly bankType: string | null;
  readonly attach: string | null;
  /** ms epoch; present once paid. */
  readonly successTime: number | null;
  readonly payerOpenid: string | null;
  readonly amount: PayAmount;
}

const transactionShape = z.object({
  appid: id,
  mchid: id,
  out_trade_no: id,
  transaction_id: optionalText,
  trade_type: optionalText,
  trade_state: z.enum(TRADE_STATES),
  trade_state_desc: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  bank_type: optionalText,
  attach: optionalText,
  success_time: optionalTime,
  payer: z
    .object({ openid: optionalText })
    .nullish()
    .transform((v) => v?.openid ?? null),
  amount: z
    .object({
      total: fen.nullish(),
      payer_total: fen.nullish(),
      currency: z.string().nullish(),
      payer_currency: z.string().nullish(),
    })
    .nullish(),
});

/** A transaction (query answer, or a TRANSACTION.* notification's resource). A paid one must say what was paid. */
export const transactionSchema = transactionShape
  .superRefine((raw, ctx) => {
    if (!PAID_STATES.has(raw.trade_state)) return;
    for (const [field, value] of [
      ["transaction_id", raw.transaction_id],
      ["success_time", raw.success_time],
      ["amount.total", raw.amount?.total],
      ["amount.payer_total", raw.amount?.payer_total],
    ] as const) {
      if (value === null || value === undefined) {
        ctx.addIssue({ code: "custom", path: field.split("."), message: `required when ${raw.trade_state}` });
      }
    }
  })
  .transform((raw): PayTransaction =>
    Object.freeze({
      appid: raw.appid,
      mchid: raw.mchid,
      outTradeNo: raw.out_trade_no,
      transactionId: raw.transaction_id,
      tradeType: raw.trade_type,
      tradeState: raw.trade_state,
      tradeStateDesc: raw.trade_state_desc,
      bankType: raw.bank_type,
      attach: raw.attach,
      successTime: raw.success_time,
      payerOpenid: raw.payer,
      amount: Object.freeze({
        total: raw.amount?.total ?? null,
        payerTotal: raw.amount?.payer_total ?? null,
        currency: raw.amount?.currency ?? "CNY",
        payerCurrency: raw.amount?.payer_currency ?? null,
      }),
    }),
  );

export const prepaySchema = z.object({ prepay_id: z.string().min(1).max(64) }).transform((raw) => raw.prepay_id);

export interface PayRefund {
  readonly refundId: string;
  readonly outRefundNo: string;
  readonly transactionId: string;
  readonly outTradeNo: string;
  /** ORIGINAL (back the way it was paid), BALANCE, OTHER_BALANCE, OTHER_BANKCARD. */
  readonly channel: string | null;
  /** Where the money went, in words ("支付用户零钱"). */
  readonly userReceivedAccount: string | null;
  readonly status: RefundStatus;
  /** ms epoch. */
  readonly createTime: number | null;
  /** ms epoch; present once SUCCESS. */
  readonly successTime: number | null;
  readonly fundsAccount: string | null;
  readonly amount: {
    /** The order's amount, fen. */
    readonly total: number;
    /** This refund, fen. */
    readonly refund: number;
    readonly payerTotal: number | null;
    readonly payerRefund: number | null;
    readonly currency: string;
  };
}

const refundAmount = z.object({
  total: fen,
  refund: fen,
  payer_total: fen.nullish(),
  payer_refund: fen.nullish(),
  currency: z.string().nullish(),
});

/** A refund (the refund call's answer, or the refund query's). */
export const refundSchema = z
  .object({
    refund_id: id,
    out_refund_no: id,
    transaction_id: id,
    out_trade_no: id,
    channel: optionalText,
    user_received_account: optionalText,
    status: z.enum(REFUND_STATUSES),
    create_time: optionalTime,
    success_time: optionalTime,
    funds_account: optionalText,
    amount: refundAmount,
  })
  .transform((raw): PayRefund =>
    Object.freeze({
      refundId: raw.refund_id,
      outRefundNo: raw.out_refund_no,
      transactionId: raw.transaction_id,
      outTradeNo: raw.out_trade_no,
      channel: raw.channel,
      userReceivedAccount: raw.user_received_account,
      status: raw.status,
      createTime: raw.create_time,
      successTime: raw.success_time,
      fundsAccount: raw.funds_account,
      amount: Object.freeze({
        total: raw.amount.total,
        refund: raw.amount.refund,
        payerTotal: raw.amount.payer_total ?? null,
        payerRefund: raw.amount.payer_refund ?? null,
        currency: raw.amount.currency ?? "CNY",
      }),
    }),
  );

/** A REFUND.* notification's resource: the refund as WeChat Pay reports it (its status is `refund_status`). */
export interface RefundNotice {
  readonly mchid: string;
  readonly outTradeNo: string;
  readonly transactionId: string;
  readonly outRefundNo: string;
  readonly refundId: string;
  readonly refundStatus: RefundStatus;
  /** ms epoch; present once SUCCESS. */
  readonly successTime: number | null;
  readonly userReceivedAccount: string | null;
  readonly amount: {
    readonly total: number;
    readonly refund: number;
    readonly payerTotal: number | null;
    readonly payerRefund: number | null;
  };
}

export const refundNoticeSchema = z
  .object({
    mchid: id,
    out_trade_no: id,
    transaction_id: id,
    out_refund_no: id,
    refund_id: id,
    refund_status: z.enum(REFUND_STATUSES),
    success_time: optionalTime,
    user_received_account: optionalText,
    amount: refundAmount,
  })
  .transform((raw): RefundNotice =>
    Object.freeze({
      mchid: raw.mchid,
      outTradeNo: raw.out_trade_no,
      transactionId: raw.transaction_id,
      outRefundNo: raw.out_refund_no,
      refundId: raw.refund_id,
      refundStatus: raw.refund_status,
      successTime: raw.success_time,
      userReceivedAccount: raw.user_received_account,
      amount: Object.freeze({
        total: raw.amount.total,
        refund: raw.amount.refund,
        payerTotal: raw.amount.payer_total ?? null,
        payerRefund: raw.amount.payer_refund ?? null,
      }),
    }),
  );

/** The notification's outer JSON (what is signed), before decryption. */
export interface PayNotificationEnvelope {
  readonly id: string;
  /** ms epoch. */
  readonly createTime: number;
  /** TRANSACTION.SUCCESS, REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED. */
  readonly eventType: string;
  readonly resourceType: string;
  readonly summary: string;
  readonly resource: {
    readonly algorithm: string;
    readonly ciphertext: string;
    readonly nonce: string;
    /** "" when absent. */
    readonly associatedData: string;
    /** "transaction" or "refund". */
    readonly originalType: string;
  };
}

export const envelopeSchema = z
  .object({
    id: z.string().min(1).max(128),
    create_time: time,
    event_type: z.string().min(1),
    resource_type: z.string().min(1),
    summary: z
      .string()
      .nullish()
      .transform((v) => v ?? ""),
    resource: z.object({
      algorithm: z.string().min(1),
      ciphertext: z.string().min(1),
      nonce: z.string().min(1),
      associated_data: z
        .string()
        .nullish()
        .transform((v) => v ?? ""),
      original_type: z.string().min(1),
    }),
  })
  .transform((raw): PayNotificationEnvelope =>
    Object.freeze({
      id: raw.id,
      createTime: raw.create_time,
      eventType: raw.event_type,
      resourceType: raw.resource_type,
      summary: raw.summary,
      resource: Object.freeze({
        algorithm: raw.resource.algorithm,
        ciphertext: raw.resource.ciphertext,
        nonce: raw.resource.nonce,
        associatedData: raw.resource.associated_data,
        originalType: raw.resource.original_type,
      }),
    }),
  );

/** WeChat Pay's error body. */
export const errorBodySchema = z.object({
  code: z.string().min(1),
  message: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  detail: z.unknown().optional(),
});

export function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
