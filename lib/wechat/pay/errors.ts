/**
 * WeChat Pay v3's error codes, what they mean and what the caller should do about each, and the errors
 * the pay client throws.
 *
 * Unlike the Official Account APIs, WeChat Pay v3 answers failures with an HTTP status (4xx, 5xx) and a
 * body `{"code","message","detail"?}` whose `code` is a string. Its documentation has spelled some codes
 * two ways over the years (SYSTEMERROR and SYSTEM_ERROR, ORDERNOTEXIST and ORDER_NOT_EXIST, ...): both
 * spellings map to one entry, and the error carries the canonical code and the one received.
 */
import { endpointPath } from "../errors";

/**
 * What the caller should do next.
 * - `retry`: transient on WeChat Pay's side; send the same request again (same out_trade_no or
 *   out_refund_no) after a pause. A retried request is safe: WeChat Pay keys orders and refunds by them.
 * - `check_order`: the order is not in the state this call needs (paid, closed): query it and follow
 *   what it says.
 * - `not_found`: WeChat Pay does not know the order or refund.
 * - `fix_config`: the merchant configuration is wrong (keys, serial, mchid/appid binding, permissions).
 * - `quota`: a rate limit; back off.
 * - `bad_request`: our request breaks a rule; the same request will fail again.
 * - `fail`: nothing automatic helps (a payer's or merchant's account problem).
 */
export type PayErrorAction = "retry" | "check_order" | "not_found" | "fix_config" | "quota" | "bad_request" | "fail";

export interface PayErrorInfo {
  /** The canonical code, e.g. "SYSTEM_ERROR". */
  readonly code: string;
  /** The HTTP status WeChat Pay documents for it. */
  readonly status: number;
  /** English, for operators and logs. */
  readonly meaning: string;
  readonly action: PayErrorAction;
  /** Short Simplified Chinese for the payer; says what to do next. */
  readonly userMessage: string;
  /** Simplified Chinese for staff in the console, when the payer's words would mislead them. */
  readonly staffMessage?: string;
}

const MSG_BUSY = "微信支付繁忙，请稍后重试。";
const MSG_CONFIG = "支付服务配置异常，请稍后再试或联系客服。";
const MSG_BAD = "支付请求有误，请刷新页面后重试。";

function entry(
  code: string,
  status: number,
  action: PayErrorAction,
  meaning: string,
  userMessage: string,
  staffMessage?: string,
): readonly [string, PayErrorInfo] {
  return [
    code,
    Object.freeze({ code, status, meaning, action, userMessage, ...(staffMessage ? { staffMessage } : {}) }),
  ];
}

export const WECHAT_PAY_ERRORS: Readonly<Record<string, PayErrorInfo>> = Object.freeze(
  Object.fromEntries([
    entry("SYSTEM_ERROR", 500, "retry", "WeChat Pay system error: retry with the same parameters", MSG_BUSY),
    entry("BANK_ERROR", 500, "retry", "The bank's system failed: retry with the same parameters", MSG_BUSY),
    entry(
      "USER_PAYING",
      202,
      "check_order",
      "The payer is still paying (entering the password): query the order after a few seconds",
      "支付确认中，请稍候。",
    ),
    entry(
      "PARAM_ERROR",
      400,
      "bad_request",
      "A parameter is missing or invalid (see detail)",
      MSG_BAD,
      "微信支付认为请求参数有误（见 detail），请检查订单内容。",
    ),
    entry(
      "INVALID_REQUEST",
      400,
      "bad_request",
      "The request breaks an API v3 rule or a business rule (e.g. a refund above what can be refunded)",
      MSG_BAD,
      "微信支付拒绝了这个请求（例如退款金额超过可退金额），详见返回信息。",
    ),
    entry(
      "SIGN_ERROR",
      401,
      "fix_config",
      "WeChat Pay could not verify our signature: check the private key, its certificate serial and mchid",
      MSG_CONFIG,
      "微信支付验签失败：请检查商户私钥、证书序列号和商户号。",
    ),
    entry("NO_AUTH", 403, "fix_config", "The merchant lacks the permission for this API", MSG_CONFIG),
    entry(
      "APPID_MCHID_NOT_MATCH",
      400,
      "fix_config",
      "The appid is not bound to the mchid",
      MSG_CONFIG,
      "AppID 与商户号没有绑定关系，请在商户平台关联公众号。",
    ),
    entry("MCH_NOT_EXISTS", 400, "fix_config", "No such merchant", MSG_CONFIG),
    entry(
      "OPENID_MISMATCH",
      500,
      "bad_request",
      "The payer's openid does not belong to the appid",
      "您的微信身份与公众号不匹配，请重新进入页面。",
    ),
    entry(
      "OUT_TRADE_NO_USED",
      403,
      "bad_request",
      "The out_trade_no was used for an order with other parameters",
      MSG_BAD,
      "商户订单号已被另一笔内容不同的订单使用。",
    ),
    entry("ORDERPAID", 400, "check_order", "The order is already paid", "该订单已支付，无需重复支付。"),
    entry(
      "ORDER_CLOSED",
      400,
      "check_order",
      "The order is closed and cannot be paid: create a new order with a new out_trade_no",
      "该订单已关闭，请重新下单。",
    ),
    entry("ORDER_NOT_EXIST", 404, "not_found", "WeChat Pay knows no such order", "订单不存在。"),
    entry("RESOURCE_NOT_EXISTS", 404, "not_found", "WeChat Pay knows no such refund", "退款单不存在。"),
    entry(
      "NOT_ENOUGH",
      403,
      "fail",
      "Insufficient balance (the payer's on payment, the merchant's on refund)",
      "余额不足，请更换支付方式后重试。",
      "商户账户可用余额不足，请充值后再退款。",
    ),
    entry(
      "FREQUENCY_LIMITED",
      429,
      "quota",
      "Too many requests: slow down and retry later",
      "操作过于频繁，请稍后再试。",
    ),
    entry("RULE_LIMIT", 403, "quota", "A business rule limits this request now", "操作过于频繁，请稍后再试。"),
    entry("TRADE_ERROR", 403, "fail", "The trade failed for a business reason (see message)", "交易失败，请稍后再试。"),
    entry("ACCOUNT_ERROR", 403, "fail", "The payer's account is abnormal", "您的微信支付账户异常，请联系微信客服。"),
    entry(
      "USER_ACCOUNT_ABNORMAL",
      403,
      "fail",
      "The payer's account is abnormal or closed: the refund cannot go back the original way",
      "退款无法原路退回，请联系客服。",
      "用户账户异常或已注销，无法原路退款，需线下处理。",
    ),
  ]),
);

/** Older spellings found in WeChat Pay's pages and answers, each to its canonical code. */
const ALIASES: Readonly<Record<string, string>> = {
  SYSTEMERROR: "SYSTEM_ERROR",
  BANKERROR: "BANK_ERROR",
  USERPAYING: "USER_PAYING",
  NOAUTH: "NO_AUTH",
  ORDERNOTEXIST: "ORDER_NOT_EXIST",
  ORDER_PAID: "ORDERPAID",
  ORDERCLOSED: "ORDER_CLOSED",
  NOTENOUGH: "NOT_ENOUGH",
  RULELIMIT: "RULE_LIMIT",
  ACCOUNTERROR: "ACCOUNT_ERROR",
};

export function canonicalPayCode(code: string): string {
  const upper = code.trim().toUpperCase();
  return ALIASES[upper] ?? upper;
}

/** Looks a code up (either spelling); an unknown code is judged by its status: 5xx retry, else fail. */
export function describePayError(code: string, status?: number): PayErrorInfo {
  const canonical = canonicalPayCode(code);
  const known = Object.hasOwn(WECHAT_PAY_ERRORS, canonical) ? WECHAT_PAY_ERRORS[canonical] : undefined;
  if (known) return known;
  const transient = status !== undefined && status >= 500;
  return Object.freeze({
    code: canonical,
    status: status ?? 0,
    meaning: "Unknown WeChat Pay error code",
    action: transient ? "retry" : "fail",
    userMessage: transient ? MSG_BUSY : "支付暂时不可用，请稍后再试。",
  });
}

/** WeChat Pay answered with an error status and a `{code, message}` body. */
export class WeChatPayApiError extends Error {
  override readonly name = "WeChatPayApiError";
  readonly status: number;
  /** Canonical (SYSTEMERROR arrives as SYSTEM_ERROR). */
  readonly code: string;
  /** As received. */
  readonly receivedCode: string;
  /** WeChat Pay's own text (Chinese). */
  readonly wechatMessage: string;
  /** WeChat Pay's `detail` (field, value, issue, location), as received. */
  readonly detail: unknown;
  /** Path only, e.g. "/v3/pay/transactions/jsapi". */
  readonly endpoint: string;
  /** WeChat Pay's Request-ID header: quote it to WeChat Pay's support. */
  readonly requestId: string | null;
  /**
   * Whether the error answer carried a valid WeChat Pay signature. WeChat Pay signs answers only to
   * requests whose signature it verified, so a SIGN_ERROR comes unsigned. Decide nothing about money on
   * an unverified error beyond "this call failed".
   */
  readonly verified: boolean;
  readonly info: PayErrorInfo;

  constructor(args: {
    status: number;
    code: string;
    message: string;
    detail?: unknown;
    endpoint: string;
    requestId?: string | null;
    verified: boolean;
  }) {
    const endpoint = endpointPath(args.endpoint);
    const code = canonicalPayCode(args.code);
    super(`WeChat Pay ${endpoint} failed: HTTP ${args.status} ${code} ${args.message}`.trimEnd());
    this.status = args.status;
    this.code = code;
    this.receivedCode = args.code;
    this.wechatMessage = args.message;
    this.detail = args.detail;
    this.endpoint = endpoint;
    this.requestId = args.requestId ?? null;
    this.verified = args.verified;
    this.info = describePayError(code, args.status);
  }
}

/**
 * Why a signed answer or notification was refused:
 * - `missing_headers`: a Wechatpay-Timestamp/-Nonce/-Signature/-Serial header is absent or malformed;
 * - `unknown_serial`: signed with a key we do not hold (Wechatpay-Serial is not our public key's id);
 * - `stale`: its timestamp is more than 5 minutes from our clock (a replay, or a clock to fix);
 * - `signtest`: WeChat Pay's deliberate probe (`WECHATPAY/SIGNTEST/…`), which a merchant must refuse;
 * - `bad_signature`: the signature does not verify over timestamp, nonce and body.
 */
export type PaySignatureProblem = "missing_headers" | "unknown_serial" | "stale" | "signtest" | "bad_signature";

export class WeChatPaySignatureError extends Error {
  override readonly name = "WeChatPaySignatureError";
  readonly problem: PaySignatureProblem;
  /** The API path of an answer, or null for a notification. */
  readonly endpoint: string | null;

  constructor(problem: PaySignatureProblem, endpoint: string | null, detail: string) {
    super(
      `WeChat Pay ${endpoint === null ? "notification" : `answer of ${endpointPath(endpoint)}`} refused (${problem}): ${detail}`,
    );
    this.problem = problem;
    this.endpoint = endpoint === null ? null : endpointPath(endpoint);
  }
}

/**
 * A notification whose signature held but whose content we cannot use:
 * - `bad_body`: the envelope is not the documented JSON;
 * - `unsupported`: an algorithm, resource type or event we do not handle;
 * - `decrypt_failed`: AES-256-GCM refused it (wrong APIv3 key, or altered ciphertext, nonce or associated data);
 * - `bad_resource`: the decrypted JSON is not a transaction or refund;
 * - `foreign_merchant`: it is for another mchid or appid than ours.
 */
export type PayNotificationProblem =
  "bad_body" | "unsupported" | "decrypt_failed" | "bad_resource" | "foreign_merchant";

export class WeChatPayNotificationError extends Error {
  override readonly name = "WeChatPayNotificationError";
  readonly problem: PayNotificationProblem;

  constructor(problem: PayNotificationProblem, detail: string) {
    super(`WeChat Pay notification unusable (${problem}): ${detail}`);
    this.problem = problem;
  }
}

export function isWeChatPayApiError(error: unknown): error is WeChatPayApiError {
  return error instanceof WeChatPayApiError;
}
