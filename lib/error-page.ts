// Where a failed browser flow lands: /auth/error with a code the page turns into Chinese, and
// WeChat's errcode shown small for support. Logging happens here, once.
import { APP_ERRORS, AppError, reportError, toAppError, type AppErrorCode } from "@/lib/errors";
import { redirect } from "@/lib/http";

export function errorPagePath(err: AppErrorCode | unknown, context: Record<string, unknown> = {}): string {
  const appError = typeof err === "string" && err in APP_ERRORS ? new AppError(err as AppErrorCode) : toAppError(err);
  reportError(appError, context);
  if (appError.code === "snapshot_user") return "/auth/snapshot";
  const q = new URLSearchParams({ code: appError.code });
  if (appError.errcode) q.set("errcode", String(appError.errcode));
  return `/auth/error?${q}`;
}

/**
 * A failed browser flow's answer: a 302 to the error page, or, for a 429, the 429 itself (with
 * Retry-After, so that a script looping the link sees it) whose page sends the browser on to the same
 * error page. Nothing is written either way.
 */
export function errorPageResponse(err: unknown, context: Record<string, unknown>, appUrl: string): Response {
  const path = errorPagePath(err, context);
  const appError = toAppError(err);
  if (appError.status !== 429) return redirect(path);
  const target = (appUrl + path).replaceAll("&", "&amp;");
  return new Response(
    `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta http-equiv="refresh" content="0;url=${target}"><title>请稍后再试</title><p>${appError.userMessage} <a href="${target}">继续</a></p>`,
    {
      status: 429,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "retry-after": String(appError.options.retryAfterSeconds ?? 1),
      },
    },
  );
}
