// Errors are data: every failure a user can meet is an AppError with a stable code, a Chinese message
// and an HTTP status, all from one table; WeChat's errors are translated here, in one place, from the
// errcode table; errorResponse() is the one way from a thrown value to an HTTP answer.
import { ZodError } from "zod";
import { WeChatApiError, WeChatTransportError, type WeChatErrorAction } from "@/lib/wechat/errors";
import { MenuRefusedError } from "@/lib/wechat/menu";
import { CardRefusedError } from "@/lib/wechat/card/client";
import {
  WeChatPayApiError,
  WeChatPayNotificationError,
  WeChatPaySignatureError,
  type PayErrorAction,
} from "@/lib/wechat/pay/errors";
import { log } from "@/lib/log";

interface ErrorEntry {
  readonly status: number;
  readonly message: string;
  /** The code the answer carries when it is not the entry's own name (two texts for one code). */
  readonly code?: string;
  /** What the page should do next: "reauthorize" = send the person through the userinfo login again. */
  readonly action?: "reauthorize";
}

export const APP_ERRORS = {
  unauthenticated: { status: 401, message: "请先登录。" },
  // proxy.ts and adminRoute(): the admin console without a staff session.
  staff_unauthenticated: { status: 401, code: "unauthenticated", message: "请先登录管理后台。" },
  reauthorize: { status: 401, message: "授权已失效，请重新授权登录。", action: "reauthorize" },
  need_userinfo: { status: 401, message: "需要授权获取你的昵称和头像。", action: "reauthorize" },
  bad_request: { status: 400, message: "请求参数有误。" },
  state_invalid: { status: 400, message: "登录链接无效或已被使用，请重新登录。" },
  state_expired: { status: 400, message: "登录已超时，请重新登录。" },
  consent_denied: { status: 403, message: "你拒绝了授权，部分功能无法使用。" },
  snapshot_user: { status: 403, message: "当前为朋友圈快照页，请点击页面底部的“使用完整服务”后继续。" },
  forbidden: { status: 403, message: "没有权限执行此操作。" },
  cross_site: { status: 403, message: "请求来源无效，请刷新页面后重试。" },
  wechat_busy: { status: 503, message: "微信服务繁忙，请稍后重试。" },
  wechat_quota: { status: 503, message: "操作过于频繁，请稍后再试。" },
  wechat_config: { status: 500, message: "服务配置异常，请联系公众号运营者。" },
  wechat_failed: { status: 502, message: "微信服务异常，请稍后重试。" },
  internal: { status: 500, message: "服务暂时不可用，请稍后重试。" },
  profile_refresh_limited: { status: 429, message: "资料刚刚刷新过，请 1 分钟后再试。" },
  login_rate_limited: { status: 429, message: "登录请求过于频繁，请稍后再试。" },
  // 扫码登录: a code this browser did not ask for (or none) is not found, whatever it is.
  qr_login_not_found: { status: 404, message: "二维码不存在或已失效，请刷新页面重新获取。" },
  // The central token service's internal API (/api/internal/wechat/*): other servers read these.
  internal_api_disabled: { status: 404, message: "内部接口未启用：请设置 INTERNAL_API_SECRET。" },
  internal_api_unauthorized: { status: 401, message: "内部接口需要正确的 Bearer 密钥。" },
  // Followers, tags, blacklist and remarks (admin console).
  sync_running: { status: 409, message: "同步正在进行中，请等待当前同步结束。" },
  wechat_rejected: { status: 422, message: "微信拒绝了此操作，数据未修改。" },
  follower_not_found: { status: 404, message: "找不到该用户，或该用户不是本公众号的粉丝。" },
  tag_not_found: { status: 404, message: "该标签不存在或已被删除，请刷新页面。" },
  // The message endpoint (/api/wechat/message): WeChat's servers read these, people never see them.
  push_refused: { status: 401, message: "签名无效、已过期或重复的请求。" },
  push_invalid: { status: 400, message: "消息格式有误。" },
  push_too_large: { status: 413, message: "消息过大。" },
  push_body_timeout: { status: 408, message: "消息读取超时。" },
  push_disabled: { status: 404, message: "消息接口未配置。" },
  push_unavailable: { status: 503, message: "消息接口暂不可用，请稍后重试。" },
  auto_reply_exists: { status: 409, message: "已有相同关键词（或关注回复）的规则，请直接编辑它。" },
  auto_reply_not_found: { status: 404, message: "该自动回复不存在或已被删除。" },
  // Custom menus (admin console).
  menu_version_not_found: { status: 404, message: "该历史版本不存在，或不是可发布的菜单。" },
  // Channel QR codes (admin console).
  qrcode_scene_exists: { status: 409, message: "这个渠道标识已被另一个二维码使用，请换一个。" },
  qrcode_not_found: { status: 404, message: "该二维码不存在。" },
  // Template messages and replies (admin console, internal API).
  template_not_found: { status: 404, message: "模板不存在，请先在模板页刷新，或检查 templateId。" },
  template_data_invalid: { status: 400, message: "模板内容不符合字段要求。" },
  message_not_found: { status: 404, message: "该消息不存在。" },
  message_job_not_found: { status: 404, message: "该群发任务不存在。" },
  message_job_state: { status: 409, message: "群发任务当前的状态不能进行此操作，请刷新页面。" },
  // Cards and coupons (admin console, the H5 pages).
  card_not_found: { status: 404, message: "该卡券不存在。" },
  card_logo_not_found: { status: 404, message: "该 logo 不存在，请重新上传。" },
  card_logo_invalid: { status: 400, message: "请用表单字段 logo 上传一张 JPG 或 PNG 图片（最大 1 MB）。" },
  card_deleted: { status: 409, message: "该卡券已删除，不能再进行此操作。" },
  card_not_approved: { status: 409, message: "卡券还没有通过微信审核，暂时不能投放。" },
  card_unavailable: { status: 404, message: "这张券不存在或已停止发放。" },
  card_out_of_stock: { status: 409, message: "券已经领完了。" },
  card_get_limit: { status: 409, message: "你已领满这张券的每人限领数量。" },
  card_claim_pending: { status: 409, message: "你正在领取这张券，请在微信中完成领取；如已取消，请稍后再试。" },
  // WeChat Pay (lib/pay): the internal API, the cashier, the notify endpoint.
  pay_disabled: { status: 404, message: "微信支付未启用：请配置 WECHAT_PAY_* 商户号与密钥。" },
  pay_user_not_found: { status: 404, message: "找不到该用户：请给出本公众号用户的 userId 或 openid。" },
  pay_order_not_found: { status: 404, message: "订单不存在。" },
  pay_order_not_yours: { status: 403, message: "这笔订单不属于当前微信用户，无法支付。" },
  pay_order_paid: { status: 409, message: "该订单已支付，无需重复支付。" },
  pay_order_closed: { status: 409, message: "该订单已关闭，请重新下单。" },
  pay_order_expired: { status: 409, message: "订单已超过支付期限，请重新下单。" },
  pay_order_not_paid: { status: 409, message: "订单尚未支付，不能退款。" },
  pay_key_reused: { status: 409, message: "这个 idempotencyKey 已用于内容不同的请求，请换一个。" },
  pay_out_trade_no_used: { status: 409, message: "商户订单号已被另一笔订单使用。" },
  pay_origin_not_allowed: { status: 400, message: "returnUrl 或 webhookUrl 不在允许的域名（PAY_ALLOWED_ORIGINS）内。" },
  pay_refund_exceeds: { status: 409, message: "退款金额超过订单可退金额。" },
  pay_refund_limit: { status: 409, message: "该订单的退款次数已达上限（50 次）。" },
  pay_incident_not_found: { status: 404, message: "该异常记录不存在。" },
  pay_busy: { status: 503, message: "微信支付繁忙，请稍后重试。" },
  pay_quota: { status: 503, message: "支付操作过于频繁，请稍后再试。" },
  pay_config: { status: 500, message: "支付服务配置异常，请联系公众号运营者。" },
  pay_rejected: { status: 422, message: "微信支付拒绝了此操作。" },
  pay_unverified: { status: 502, message: "微信支付的应答未通过验签，结果未知，请稍后重试。" },
  // The notify endpoint: WeChat Pay reads these (and sends the notification again), people never see them.
  pay_notify_refused: { status: 401, message: "通知验签失败。" },
  pay_notify_invalid: { status: 400, message: "通知内容无法处理。" },
} as const satisfies Record<string, ErrorEntry>;

export type AppErrorCode = keyof typeof APP_ERRORS;
const ENTRIES: Record<AppErrorCode, ErrorEntry> = APP_ERRORS;

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** WeChat's errcode when WeChat caused it: operators need it, the error page shows it small. */
  readonly errcode?: number;
  /** for the log, never the answer */
  readonly detail?: string;
  /** instead of the table's message */
  readonly userMessage?: string;
  /** more fields of the answer's `error` object (issues, applied, errmsg, reauthorizeUrl) */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** sent as Retry-After (a 429: how long until the same request can succeed) */
  readonly retryAfterSeconds?: number;
}

export class AppError extends Error {
  override name = "AppError";
  readonly status: number;
  readonly errcode: number | undefined;
  constructor(
    readonly code: AppErrorCode,
    readonly options: AppErrorOptions = {},
  ) {
    super(options.detail ?? code, { cause: options.cause });
    this.status = APP_ERRORS[code].status;
    this.errcode = options.errcode;
  }
  get userMessage(): string {
    return this.options.userMessage ?? APP_ERRORS[this.code].message;
  }
  /** The same error with more fields in its answer. */
  with(extra: Record<string, unknown>): AppError {
    return new AppError(this.code, { ...this.options, extra: { ...this.options.extra, ...extra } });
  }
}

/** Whether `err` asks the person to authorize again (its table entry's action). */
export function asksToReauthorize(err: unknown): boolean {
  return err instanceof AppError && ENTRIES[err.code].action === "reauthorize";
}

/** A bulk action failed part-way: `applied` items went through (on WeChat and here), the rest did not. */
export class BulkPartialError extends Error {
  override name = "BulkPartialError";
  constructor(
    readonly applied: number,
    override readonly cause: unknown,
  ) {
    super(`bulk action stopped after ${applied}`, { cause });
  }
}

/**
 * A bulk action in which WeChat refused some people: `applied` went through (on WeChat and here), the
 * `refused` did not, each with WeChat's refusal. `label` names the person for staff (nickname or openid).
 */
export class BulkRefusedError extends Error {
  override name = "BulkRefusedError";
  constructor(
    readonly applied: number,
    readonly refused: readonly { readonly userId: string; readonly label: string; readonly error: WeChatApiError }[],
  ) {
    super(`bulk action: ${refused.length} refused, ${applied} applied`, { cause: refused[0]?.error });
  }
}

const ACTION_TO_CODE: Record<WeChatErrorAction, AppErrorCode> = {
  retry: "wechat_busy",
  reauthorize: "reauthorize",
  refresh_token: "reauthorize",
  fix_config: "wechat_config",
  quota: "wechat_quota",
  bad_request: "wechat_failed",
  fail: "wechat_failed",
};
const OUTAGE_ACTIONS: ReadonlySet<WeChatErrorAction> = new Set(["retry", "quota", "fix_config"]);

/** WeChat Pay's outages by their action; everything else it says is a refusal (pay_rejected, 422). */
const PAY_OUTAGES: Partial<Record<PayErrorAction, AppErrorCode>> = {
  retry: "pay_busy",
  quota: "pay_quota",
  fix_config: "pay_config",
};

/**
 * WeChat Pay's error in Chinese, with its code: the payer's words, or in the console ("rejected") the
 * staff's where the table has them, e.g. "商户账户可用余额不足，请充值后再退款。（微信支付错误码 NOT_ENOUGH）".
 */
function payAppError(err: WeChatPayApiError, refusals: RefusalStyle): AppError {
  const outage = PAY_OUTAGES[err.info.action];
  const words = refusals === "rejected" ? (err.info.staffMessage ?? err.info.userMessage) : err.info.userMessage;
  return new AppError(outage ?? "pay_rejected", {
    cause: err,
    userMessage:
      outage === "pay_config" && refusals !== "rejected" ? undefined : `${words}（微信支付错误码 ${err.code}）`,
    extra: { payCode: err.code },
  });
}

/** WeChat said no to this request (a rule, an openid it does not know), as opposed to an outage. */
export function isRefusal(err: unknown): err is WeChatApiError {
  return err instanceof WeChatApiError && !OUTAGE_ACTIONS.has(err.info.action);
}

/**
 * How WeChat's own refusals read: by their action for the end user's flows ("action"), or, in the admin
 * console ("rejected"), as a 422 that names the errcode and says nothing changed: a duplicate tag name or
 * an openid of another account is not an outage. Outages (busy, quota, configuration) read the same in both.
 */
export type RefusalStyle = "action" | "rejected";

/** WeChat's refusal in staff words: the table's staff message, else the user's unless it asks to sign in again. */
function staffMessage(err: WeChatApiError): string {
  const { staffMessage, action, userMessage } = err.info;
  if (staffMessage) return staffMessage;
  return action === "reauthorize" || action === "refresh_token" ? "微信认为身份或凭证无效，数据未修改。" : userMessage;
}

/** Any thrown value → an AppError; WeChat's errors by their action, a failed zod parse as 400, the rest as internal. */
export function toAppError(err: unknown, refusals: RefusalStyle = "action"): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof MenuRefusedError) {
    // Refused before calling: every problem, each on its button, for the editor; the first one as the message.
    const first = err.problems[0]!;
    return new AppError("wechat_rejected", {
      cause: err,
      errcode: err.errcode,
      userMessage: `${first.message}（微信错误码 ${err.errcode}）`,
      extra: { errmsg: err.errmsg, problems: err.problems },
    });
  }
  if (err instanceof CardRefusedError) {
    // Refused before calling (a card's rules, the logo, a stock change): every problem on its field, as the
    // other forms' field errors (`fields`: field and message) and with WeChat's errcode each (`problems`).
    const first = err.problems[0]!;
    return new AppError("wechat_rejected", {
      cause: err,
      errcode: err.errcode,
      userMessage: `${first.message}（微信错误码 ${err.errcode}）`,
      extra: {
        errmsg: err.errmsg,
        fields: err.problems.map(({ field, message }) => ({ field, message })),
        problems: err.problems,
      },
    });
  }
  if (err instanceof WeChatApiError) {
    if (refusals === "rejected" && !OUTAGE_ACTIONS.has(err.info.action)) {
      return new AppError("wechat_rejected", {
        cause: err,
        errcode: err.errcode,
        userMessage: `${staffMessage(err)}（微信错误码 ${err.errcode}）`,
        extra: { errmsg: err.errmsg },
      });
    }
    const code = err.errcode === 48001 ? "need_userinfo" : ACTION_TO_CODE[err.info.action];
    return new AppError(code, { cause: err, errcode: err.errcode });
  }
  if (err instanceof WeChatPayApiError) return payAppError(err, refusals);
  if (err instanceof WeChatPaySignatureError) return new AppError("pay_unverified", { cause: err });
  if (err instanceof WeChatPayNotificationError) return new AppError("pay_notify_invalid", { cause: err });
  if (err instanceof WeChatTransportError) {
    // WeChat Pay's (/v3/…): unreachable, or an answer we could not read; either way the outcome is unknown.
    if (err.endpoint.startsWith("/v3/")) return new AppError("pay_busy", { cause: err });
    return new AppError(err.kind === "bad_response" ? "wechat_failed" : "wechat_busy", { cause: err });
  }
  if (err instanceof ZodError) {
    const issues = err.issues.slice(0, 5).map((i) => i.message);
    return new AppError("bad_request", { cause: err, extra: { issues } });
  }
  if (err instanceof BulkPartialError) return toAppError(err.cause, refusals).with({ applied: err.applied });
  if (err instanceof BulkRefusedError && err.refused[0]) {
    // Who, and what WeChat said (in staff words); `applied` (how many went through) is in the answer too.
    const first = err.refused[0].error;
    const names = err.refused.slice(0, 5).map((r) => r.label);
    const who = err.refused.length > 5 ? `${names.join("、")} 等 ${err.refused.length} 位` : names.join("、");
    return new AppError("wechat_rejected", {
      cause: err,
      errcode: first.errcode,
      userMessage: `${who}：${staffMessage(first)}（微信错误码 ${first.errcode}）`,
      extra: {
        applied: err.applied,
        refused: err.refused.map((r) => ({ userId: r.userId, errcode: r.error.errcode })),
      },
    });
  }
  return new AppError("internal", { cause: err });
}

/** Logs what an operator needs (code, errcode, endpoint, cause) and never a stack to the user. */
export function reportError(err: AppError, context: Record<string, unknown> = {}): void {
  const cause = err.cause;
  const fields: Record<string, unknown> = { code: err.code, status: err.status, ...context };
  if (err.message !== err.code) fields.reason = err.message;
  if (cause instanceof WeChatApiError)
    Object.assign(fields, { errcode: cause.errcode, errmsg: cause.errmsg, endpoint: cause.endpoint });
  else if (cause instanceof WeChatPayApiError)
    Object.assign(fields, { payCode: cause.code, endpoint: cause.endpoint, requestId: cause.requestId ?? undefined });
  else if (cause instanceof WeChatPaySignatureError)
    Object.assign(fields, { problem: cause.problem, endpoint: cause.endpoint ?? "notification" });
  else if (cause instanceof WeChatPayNotificationError) fields.problem = cause.problem;
  else if (cause instanceof WeChatTransportError)
    Object.assign(fields, { transport: cause.kind, endpoint: cause.endpoint, httpStatus: cause.status });
  else if (cause instanceof Error) {
    // A refusal (4xx: a duplicate, a rule) is expected: one line, its gist; a failure (5xx) keeps its stack.
    if (err.status >= 500) Object.assign(fields, { cause: cause.message, stack: cause.stack });
    else fields.cause = gist(cause);
  }
  if (err.status >= 500) log.error("request_failed", fields);
  else log.warn("request_refused", fields);
}

/** An error as one short line: a driver's code (Prisma's P2002) and the last line of its message. */
function gist(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const last =
    error.message
      .trim()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .pop()
      ?.trim() ?? error.name;
  return (typeof code === "string" ? `${code}: ${last}` : last).slice(0, 300);
}

export const NO_STORE = { "cache-control": "no-store" } as const;
export const PRIVATE_NO_STORE = { "cache-control": "private, no-store" } as const;

/** The JSON answer for an AppError, `{ error: { code, message, errcode?, ... } }`, without logging it. */
export function errorJson(err: AppError | AppErrorCode): Response {
  const e = typeof err === "string" ? new AppError(err) : err;
  const error = {
    code: ENTRIES[e.code].code ?? e.code,
    message: e.userMessage,
    ...(e.errcode ? { errcode: e.errcode } : {}),
    ...e.options.extra,
  };
  const retryAfter = e.options.retryAfterSeconds;
  const headers = retryAfter === undefined ? NO_STORE : { ...NO_STORE, "retry-after": String(retryAfter) };
  return Response.json({ error }, { status: e.status, headers });
}

export interface ErrorOptions {
  readonly refusals?: RefusalStyle;
  /** Added to an error that asks the person to authorize again (`action: "reauthorize"`), for the page to follow. */
  readonly reauthorizeUrl?: string;
}

/** The JSON error answer every API route gives for whatever was thrown; logged once, here. */
export function errorResponse(
  err: unknown,
  context: Record<string, unknown> = {},
  options: ErrorOptions = {},
): Response {
  const appError = toAppError(err, options.refusals);
  reportError(appError, context);
  const { reauthorizeUrl } = options;
  const reauthorize = reauthorizeUrl && ENTRIES[appError.code].action === "reauthorize";
  return errorJson(reauthorize ? appError.with({ reauthorizeUrl }) : appError);
}
