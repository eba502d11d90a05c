// Where a failed browser flow lands: /auth/error with a code the page turns into Chinese, and
// WeChat's errcode shown small for support. Logging happens here, once.
import { APP_ERRORS, AppError, reportError, toAppError, type AppErrorCode } from "@/lib/errors";

export function errorPagePath(err: AppErrorCode | unknown, context: Record<string, unknown> = {}): string {
  const appError = typeof err === "string" && err in APP_ERRORS ? new AppError(err as AppErrorCode) : toAppError(err);
  reportError(appError, context);
  if (appError.code === "snapshot_user") return "/auth/snapshot";
  const q = new URLSearchParams({ code: appError.code });
  if (appError.errcode) q.set("errcode", String(appError.errcode));
  return `/auth/error?${q}`;
}
