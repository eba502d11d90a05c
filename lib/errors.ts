// Errors are data: every failure a user can meet is an AppError with a stable code, a Chinese message
// and an HTTP status; WeChat's errors are translated here, in one place, from the errcode table.
import { WeChatApiError, WeChatTransportError, type WeChatErrorAction } from "@/lib/wechat";
import { log } from "@/lib/log";

export const APP_ERRORS = {
  unauthenticated: { status: 401, message: "请先登录。" },
  reauthorize: { status: 401, message: "授权已失效，请重新授权登录。" },
  need_userinfo: { status: 401, message: "需要授权获取你的昵称和头像。" },
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
  push_disabled: { status: 404, message: "消息接口未配置。" },
  push_unavailable: { status: 503, message: "消息接口暂不可用，请稍后重试。" },
  auto_reply_exists: { status: 409, message: "已有相同关键词（或关注回复）的规则，请直接编辑它。" },
  auto_reply_not_found: { status: 404, message: "该自动回复不存在或已被删除。" },
} as const satisfies Record<string, { status: number; message: string }>;

export type AppErrorCode = keyof typeof APP_ERRORS;

export class AppError extends Error {
  override name = "AppError";
  readonly status: number;
  /** WeChat's errcode when WeChat caused it: operators need it, the error page shows it small. */
  readonly errcode: number | undefined;
  constructor(
    readonly code: AppErrorCode,
    options: { cause?: unknown; errcode?: number; detail?: string } = {},
  ) {
    super(options.detail ?? code, { cause: options.cause });
    this.status = APP_ERRORS[code].status;
    this.errcode = options.errcode;
  }
  get userMessage(): string {
    return APP_ERRORS[this.code].message;
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

/** Any thrown value → an AppError; WeChat's errors by their action, the rest as internal. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof WeChatApiError) {
    const code = err.errcode === 48001 ? "need_userinfo" : ACTION_TO_CODE[err.info.action];
    return new AppError(code, { cause: err, errcode: err.errcode });
  }
  if (err instanceof WeChatTransportError) {
    return new AppError(err.kind === "bad_response" ? "wechat_failed" : "wechat_busy", { cause: err });
  }
  return new AppError("internal", { cause: err });
}

/** Logs what an operator needs (code, errcode, endpoint, cause) and never a stack to the user. */
export function reportError(err: AppError, context: Record<string, unknown> = {}): void {
  const cause = err.cause;
  const fields: Record<string, unknown> = { code: err.code, status: err.status, ...context };
  if (cause instanceof WeChatApiError)
    Object.assign(fields, { errcode: cause.errcode, errmsg: cause.errmsg, endpoint: cause.endpoint });
  else if (cause instanceof WeChatTransportError)
    Object.assign(fields, { transport: cause.kind, endpoint: cause.endpoint, httpStatus: cause.status });
  else if (cause instanceof Error) Object.assign(fields, { cause: cause.message, stack: cause.stack });
  if (err.status >= 500) log.error("request_failed", fields);
  else log.warn("request_refused", fields);
}

/** The JSON error body every API route returns. */
export function errorResponse(
  err: unknown,
  context: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Response {
  const appError = toAppError(err);
  reportError(appError, context);
  return Response.json(
    {
      error: {
        code: appError.code,
        message: appError.userMessage,
        ...(appError.errcode ? { errcode: appError.errcode } : {}),
        ...extra,
      },
    },
    { status: appError.status, headers: { "cache-control": "no-store" } },
  );
}
