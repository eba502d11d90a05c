// Errors of the follower routes as responses. WeChat's refusals (a duplicate tag name, an openid of
// another account, a limit) are not outages: they answer 422 with WeChat's errcode and the table's
// Chinese explanation, so the operator sees why and that nothing changed. The rest goes through
// lib/errors.ts like every route.
import { ZodError, z } from "zod";
import { AppError, errorResponse } from "@/lib/errors";
import { WeChatApiError } from "@/lib/wechat/errors";
import { BulkPartialError } from "./deps";

const OUTAGE_ACTIONS = new Set(["retry", "quota", "fix_config"]);

export function followerErrorResponse(
  err: unknown,
  context: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Response {
  if (err instanceof ZodError) {
    const issues = err.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    return errorResponse(new AppError("bad_request", { cause: err }), context, { issues, ...extra });
  }
  if (err instanceof BulkPartialError)
    return followerErrorResponse(err.cause, context, { ...extra, applied: err.applied });
  if (err instanceof WeChatApiError && !OUTAGE_ACTIONS.has(err.info.action)) {
    return errorResponse(new AppError("wechat_rejected", { cause: err, errcode: err.errcode }), context, {
      message: `${err.info.userMessage}（微信错误码 ${err.errcode}）`,
      errmsg: err.errmsg,
      ...extra,
    });
  }
  return errorResponse(err, context, extra);
}

/** The request's JSON body, or a 400 AppError. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new AppError("bad_request", { detail: "body is not JSON" });
  }
}

/** The `[id]` of /api/admin/tags/[id]/…: a WeChat tag id (a non-negative 32-bit integer). */
export const tagIdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
});
