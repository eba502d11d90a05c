/**
 * api.mch.weixin.qq.com's v3 routes for a JSAPI merchant, as strict as WeChat Pay: every request's
 * Authorization is checked first (401 SIGN_ERROR, unsigned), then the headers WeChat Pay requires
 * (Accept, User-Agent, Content-Type on a body), then the body field by field (PARAM_ERROR with a `detail`
 * naming the field), then the ledger's rules. Every answer but a SIGN_ERROR is signed with the platform key.
 */
import type { Reply } from "../http/reply";
import { reply } from "../http/reply";
import { route, type Route, type SimRequest } from "../http/router";
import type { PayKeys } from "./keys";
import type { PayFailure, PayLedger, SimOrder, SimRefund } from "./ledger";
import {
  PAY_ERRORS,
  SKEW_SECONDS,
  parseAuthorization,
  readTime,
  signedHeaders,
  verifySignature,
  type SignFault,
} from "./protocol";

export type PayOperation = "jsapi" | "query" | "close" | "refund" | "refund-query";
export const PAY_OPERATIONS: readonly PayOperation[] = ["jsapi", "query", "close", "refund", "refund-query"];

/**
 * A scripted fault of one operation: an error answer (before anything is done, or after doing it with
 * `apply`: WeChat Pay did it and the answer was lost), or a normal answer signed wrongly.
 */
export type ApiFault =
  | { readonly code: string; readonly status?: number; readonly message?: string; readonly apply?: boolean }
  | { readonly signature: Exclude<SignFault, "none"> };

export interface PayRouteContext {
  readonly now: () => number;
  readonly appid: () => string;
  readonly mchid: string;
  readonly keys: PayKeys;
  readonly ledger: PayLedger;
  /** Whether an openid belongs to the appid (a user of the account). */
  readonly isOpenid: (openid: string) => boolean;
  /** Hosts a notify_url may use over http (everything else must be https). */
  readonly httpNotifyHosts: readonly string[];
  readonly takeFault: (op: PayOperation) => ApiFault | undefined;
  /** A refund was created (the surface completes it and notifies). */
  readonly onRefundCreated: (refund: SimRefund) => void;
}

interface Outcome {
  readonly status: number;
  readonly body?: unknown;
}

type Check = PayFailure | null;

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

function paramError(field: string, value: unknown, issue: string, location = "body"): PayFailure {
  return { code: "PARAM_ERROR", message: `${field}${issue}`, detail: { field, value, issue, location } };
}

function isFailure(value: unknown): value is PayFailure {
  return (
    typeof value === "object" && value !== null && "code" in value && typeof (value as PayFailure).code === "string"
  );
}

function errorOutcome(failure: PayFailure, status?: number): Outcome {
  const [defaultStatus, defaultMessage] = PAY_ERRORS[failure.code] ?? [500, "系统错误"];
  return {
    status: status ?? defaultStatus,
    body: {
      code: failure.code,
      message: failure.message ?? defaultMessage,
      ...(failure.detail ? { detail: failure.detail } : {}),
    },
  };
}

function parseBody(body: string): Record<string, unknown> | PayFailure {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { code: "PARAM_ERROR", message: "请求体不是合法的JSON对象" };
}

function text(
  body: Record<string, unknown>,
  field: string,
  max: number,
  required: boolean,
): string | null | PayFailure {
  const value = body[field];
  if (value === undefined || value === null) return required ? paramError(field, value, "不能为空") : null;
  if (typeof value !== "string") return paramError(field, value, "类型错误，应为字符串");
  if (required && value.trim() === "") return paramError(field, value, "不能为空");
  if (bytes(value) > max) return paramError(field, value, `长度超过${max}字节`);
  return value;
}

function notifyUrl(body: Record<string, unknown>, field: string, required: boolean, httpHosts: readonly string[]) {
  const value = text(body, field, 256, required);
  if (value === null || isFailure(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return paramError(field, value, "不是合法的URL");
  }
  if (value.includes("?") || value.includes("#")) return paramError(field, value, "不能携带参数");
  const httpOk = url.protocol === "http:" && httpHosts.includes(url.hostname);
  if (url.protocol !== "https:" && !httpOk) return paramError(field, value, "必须为https地址");
  return value;
}

function amountOf(body: Record<string, unknown>, field: string, currencyRequired: boolean): number | PayFailure {
  const amount = body.amount as Record<string, unknown> | undefined;
  if (typeof amount !== "object" || amount === null || Array.isArray(amount)) {
    return paramError("amount", amount, "不能为空");
  }
  const value = amount[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    return paramError(`amount.${field}`, value, "必须为整数，单位为分");
  }
  if (value <= 0) return paramError(`amount.${field}`, value, "必须大于0");
  const currency = amount.currency;
  if ((currencyRequired || currency !== undefined) && currency !== "CNY") {
    return paramError("amount.currency", currency, "必须为CNY");
  }
  return value;
}

export function payRoutes(ctx: PayRouteContext): Route[] {
  /** The checks every request goes through, in WeChat Pay's order; then the fault, the handler and the signature. */
  const api =
    (op: PayOperation, handle: (req: SimRequest) => Outcome | PayFailure) =>
    (req: SimRequest): Reply => {
      const signFailure = authProblem(req);
      if (signFailure) return answer(errorOutcome({ code: "SIGN_ERROR", message: signFailure }), "unsigned");
      const headerFailure = headerProblem(req);
      if (headerFailure) return answer(errorOutcome(headerFailure));
      const fault = ctx.takeFault(op);
      if (fault && "code" in fault && !fault.apply) return answer(errorOutcome(fault, fault.status));
      const result = handle(req);
      const outcome = isFailure(result) ? errorOutcome(result) : result;
      if (fault && "code" in fault) return answer(errorOutcome(fault, fault.status));
      return answer(outcome, fault && "signature" in fault ? fault.signature : "none");
    };

  function authProblem(req: SimRequest): string | null {
    const auth = parseAuthorization(req.headers.authorization);
    if (typeof auth === "string") return auth;
    const { publicKey, serialNo } = ctx.keys.merchant();
    if (auth.mchid !== ctx.mchid) return "商户号与证书不匹配";
    if (auth.serialNo !== serialNo) return "商户证书序列号有误";
    if (!/^\d{1,12}$/.test(auth.timestamp)) return "timestamp格式错误";
    if (Math.abs(Math.floor(ctx.now() / 1000) - Number(auth.timestamp)) > SKEW_SECONDS) return "请求时间戳已过期";
    if (auth.nonce.length > 32) return "nonce_str过长";
    const target = `${req.path}${req.rawQuery === "" ? "" : `?${req.rawQuery}`}`;
    const message = `${req.method}\n${target}\n${auth.timestamp}\n${auth.nonce}\n${req.body}\n`;
    return verifySignature(message, auth.signature, publicKey) ? null : "签名错误，请检查签名参数和方法";
  }

  function headerProblem(req: SimRequest): PayFailure | null {
    const accept = req.headers.accept ?? "";
    if (!/application\/json|\*\/\*/.test(accept))
      return { code: "INVALID_REQUEST", message: "Accept必须为application/json" };
    if (!req.headers["user-agent"]) return { code: "INVALID_REQUEST", message: "请求缺少User-Agent" };
    if (req.method === "POST" && !/^application\/json\b/.test(req.headers["content-type"] ?? "")) {
      return { code: "INVALID_REQUEST", message: "Content-Type必须为application/json" };
    }
    return null;
  }

  function answer(outcome: Outcome, fault: SignFault = "none"): Reply {
    const body = outcome.body === undefined ? "" : JSON.stringify(outcome.body);
    const { privateKey, publicKeyId } = ctx.keys.platform();
    const headers = {
      "Request-ID": `08${Math.floor(ctx.now() / 1000)
        .toString(16)
        .toUpperCase()}10${Math.floor(Math.random() * 1e9)}`,
      "Cache-Control": "no-store",
      ...signedHeaders(body, Math.floor(ctx.now() / 1000), privateKey, publicKeyId, fault),
    };
    return reply(outcome.status, "application/json; charset=utf-8", body, headers);
  }

  function mchidQuery(req: SimRequest): Check {
    const mchid = req.query.get("mchid");
    if (!mchid) return paramError("mchid", mchid, "不能为空", "query");
    if (mchid !== ctx.mchid) return paramError("mchid", mchid, "与请求的商户号不一致", "query");
    return null;
  }

  function queryAnswer(order: SimOrder | undefined): Outcome | PayFailure {
    if (!order) return { code: "ORDER_NOT_EXIST" };
    return { status: 200, body: ctx.ledger.transaction(order) };
  }

  const jsapi = (req: SimRequest): Outcome | PayFailure => {
    const body = parseBody(req.body);
    if (isFailure(body)) return body;
    const fields = {
      appid: text(body, "appid", 32, true),
      mchid: text(body, "mchid", 32, true),
      description: text(body, "description", 127, true),
      out_trade_no: text(body, "out_trade_no", 32, true),
      attach: text(body, "attach", 128, false),
      notify_url: notifyUrl(body, "notify_url", true, ctx.httpNotifyHosts),
      time_expire: text(body, "time_expire", 64, false),
    };
    for (const value of Object.values(fields)) if (isFailure(value)) return value;
    const f = fields as { [K in keyof typeof fields]: Exclude<(typeof fields)[K], PayFailure> };
    if (!OUT_TRADE_NO.test(f.out_trade_no!)) {
      return paramError("out_trade_no", f.out_trade_no, "只能是数字、大小写字母_-|*，长度6-32");
    }
    if (/[\u0000-\u001f\u007f]/.test(f.description!)) return paramError("description", f.description, "含有非法字符");
    const timeExpire = f.time_expire === null ? null : readTime(f.time_expire);
    if (f.time_expire !== null && timeExpire === null) {
      return paramError("time_expire", f.time_expire, "格式错误，应为yyyy-MM-DDTHH:mm:ss+TIMEZONE");
    }
    const total = amountOf(body, "total", false);
    if (isFailure(total)) return total;
    const payer = body.payer as Record<string, unknown> | undefined;
    const openid = typeof payer === "object" && payer !== null ? payer.openid : undefined;
    if (typeof openid !== "string" || openid === "") return paramError("payer.openid", openid, "不能为空");
    if (f.mchid !== ctx.mchid) return paramError("mchid", f.mchid, "与请求的商户号不一致");
    if (f.appid !== ctx.appid()) return { code: "APPID_MCHID_NOT_MATCH" };
    if (!ctx.isOpenid(openid)) return { code: "OPENID_MISMATCH" };
    const result = ctx.ledger.prepay({
      appid: f.appid!,
      mchid: f.mchid!,
      description: f.description!,
      outTradeNo: f.out_trade_no!,
      total,
      openid,
      notifyUrl: f.notify_url!,
      attach: f.attach,
      timeExpire,
    });
    if (isFailure(result)) return result;
    return { status: 200, body: { prepay_id: result.prepayId } };
  };

  const close = (req: SimRequest): Outcome | PayFailure => {
    const body = parseBody(req.body);
    if (isFailure(body)) return body;
    const mchid = text(body, "mchid", 32, true);
    if (isFailure(mchid)) return mchid;
    if (mchid !== ctx.mchid) return paramError("mchid", mchid, "与请求的商户号不一致");
    const closed = ctx.ledger.close(decodeURIComponent(req.params[0] ?? ""));
    return closed === true ? { status: 204 } : closed;
  };

  const refund = (req: SimRequest): Outcome | PayFailure => {
    const body = parseBody(req.body);
    if (isFailure(body)) return body;
    const fields = {
      out_trade_no: text(body, "out_trade_no", 32, false),
      transaction_id: text(body, "transaction_id", 32, false),
      out_refund_no: text(body, "out_refund_no", 64, true),
      reason: text(body, "reason", 80, false),
      notify_url: notifyUrl(body, "notify_url", false, ctx.httpNotifyHosts),
    };
    for (const value of Object.values(fields)) if (isFailure(value)) return value;
    const f = fields as { [K in keyof typeof fields]: Exclude<(typeof fields)[K], PayFailure> };
    if (f.out_trade_no === null && f.transaction_id === null) {
      return paramError("out_trade_no", null, "transaction_id和out_trade_no必须二选一");
    }
    if (!OUT_REFUND_NO.test(f.out_refund_no!)) {
      return paramError("out_refund_no", f.out_refund_no, "只能是数字、大小写字母_-|*@，长度1-64");
    }
    const refundAmount = amountOf(body, "refund", true);
    if (isFailure(refundAmount)) return refundAmount;
    const total = amountOf(body, "total", true);
    if (isFailure(total)) return total;
    if (refundAmount > total) return paramError("amount.refund", refundAmount, "不能大于订单金额");
    const result = ctx.ledger.createRefund({
      outRefundNo: f.out_refund_no!,
      outTradeNo: f.out_trade_no,
      transactionId: f.transaction_id,
      refund: refundAmount,
      total,
      reason: f.reason,
      notifyUrl: f.notify_url,
    });
    if (isFailure(result)) return result;
    // The answer is the refund as accepted (PROCESSING); completing it may follow at once.
    const answerBody = ctx.ledger.refundBody(result.refund);
    if (result.created) ctx.onRefundCreated(result.refund);
    return { status: 200, body: answerBody };
  };

  const outTradeNoPath = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/;
  const closePath = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/;
  return [
    route(["POST"], "/v3/pay/transactions/jsapi", api("jsapi", jsapi)),
    route(
      ["GET"],
      outTradeNoPath,
      api("query", (req) => mchidQuery(req) ?? queryAnswer(ctx.ledger.order(decodeURIComponent(req.params[0] ?? "")))),
    ),
    route(
      ["GET"],
      /^\/v3\/pay\/transactions\/id\/([^/]+)$/,
      api(
        "query",
        (req) => mchidQuery(req) ?? queryAnswer(ctx.ledger.orderByTransaction(decodeURIComponent(req.params[0] ?? ""))),
      ),
    ),
    route(["POST"], closePath, api("close", close)),
    route(["POST"], "/v3/refund/domestic/refunds", api("refund", refund)),
    route(
      ["GET"],
      /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/,
      api("refund-query", (req) => {
        const found = ctx.ledger.refund(decodeURIComponent(req.params[0] ?? ""));
        return found ? { status: 200, body: ctx.ledger.refundBody(found) } : { code: "RESOURCE_NOT_EXISTS" };
      }),
    ),
  ];
}
