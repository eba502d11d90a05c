import { WeChatPayApiError, WeChatPaySignatureError } from "@/lib/wechat/pay/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { WeChatApiError } from "@/lib/wechat/errors";
import { AppError, reportError, toAppError } from "./errors";

afterEach(() => vi.restoreAllMocks());

/** What Prisma throws on a unique violation: a code, and a message of many lines. */
function duplicateKey(): Error {
  const error = new Error(
    "\nInvalid `prisma.autoReply.create()` invocation in\n/app/lib/messages/auto-replies.ts:80:5\n\n  77 ...\n→ 80 await db.autoReply.create(\nUnique constraint failed on the fields: (`keyword`)",
  );
  return Object.assign(error, { code: "P2002" });
}

describe("reportError", () => {
  it("logs an expected refusal (409, 422) as one line: its code and gist, no stack", () => {
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    reportError(new AppError("auto_reply_exists", { cause: duplicateKey() }), { route: "/api/admin/auto-replies" });
    expect(warn).toHaveBeenCalledTimes(1);
    const [event, fields] = warn.mock.calls[0] ?? [];
    expect(event).toBe("request_refused");
    expect(fields).toMatchObject({
      code: "auto_reply_exists",
      status: 409,
      cause: "P2002: Unique constraint failed on the fields: (`keyword`)",
    });
    expect(fields).not.toHaveProperty("stack");
    expect(JSON.stringify(fields)).not.toContain("\\n");
  });

  it("keeps the stack of a failure (5xx), where it is needed", () => {
    const error = vi.spyOn(log, "error").mockImplementation(() => {});
    reportError(new AppError("internal", { cause: new Error("boom") }));
    expect(error.mock.calls[0]?.[1]).toMatchObject({
      code: "internal",
      cause: "boom",
      stack: expect.stringContaining("boom"),
    });
  });
});

describe("toAppError for the console (refusals: rejected)", () => {
  const refusal = (errcode: number) =>
    new WeChatApiError({ errcode, errmsg: "x", endpoint: "/cgi-bin/user/info/updateremark" });

  it("speaks to staff: what happened, that nothing changed, WeChat's errcode; not the end user's 请重新授权登录", () => {
    const staff = toAppError(refusal(40003), "rejected");
    expect(staff).toMatchObject({ code: "wechat_rejected", status: 422, errcode: 40003 });
    expect(staff.userMessage).toBe(
      "微信不认这个 openid：此人可能不是本公众号的用户（例如示例或测试数据），数据未修改。（微信错误码 40003）",
    );
    expect(toAppError(refusal(49003), "rejected").userMessage).toBe(
      "该 openid 不属于本公众号，数据未修改。（微信错误码 49003）",
    );
    // Without a staff text of its own, a refusal that would send a user to sign in again still does not.
    expect(toAppError(refusal(40030), "rejected").userMessage).toBe(
      "微信认为身份或凭证无效，数据未修改。（微信错误码 40030）",
    );
    // Where the user's words read right for staff, they are kept.
    expect(toAppError(refusal(45157), "rejected").userMessage).toBe(
      "标签名称已存在，请换一个名称。（微信错误码 45157）",
    );
  });

  it("leaves the end user's flows their own words", () => {
    expect(toAppError(refusal(40003)).userMessage).toBe("授权已失效，请重新授权登录。");
  });
});

describe("a card refused before calling WeChat", () => {
  it("is a 422 wechat_rejected with every problem on its field, as the other forms' field errors", async () => {
    const { CardRefusedError } = await import("@/lib/wechat/card/client");
    const refused = new CardRefusedError("/card/create", [
      { field: "title", message: "卡券名称最多 9 个汉字。", errcode: 45021 },
      { field: "date.endTimestamp", message: "结束时间须在未来。", errcode: 40079 },
    ]);
    const error = toAppError(refused, "rejected");
    expect(error).toMatchObject({ code: "wechat_rejected", status: 422, errcode: 45021 });
    expect(error.userMessage).toBe("卡券名称最多 9 个汉字。（微信错误码 45021）");
    expect(error.options.extra).toMatchObject({
      fields: [
        { field: "title", message: "卡券名称最多 9 个汉字。" },
        { field: "date.endTimestamp", message: "结束时间须在未来。" },
      ],
      problems: refused.problems,
    });
  });
});

describe("WeChat Pay's errors", () => {
  const payError = (code: string, status: number) =>
    new WeChatPayApiError({ status, code, message: "…", endpoint: "/v3/refund/domestic/refunds", verified: true });

  it("outages by their action, refusals as 422 in the payer's or the staff's words with the code", () => {
    expect(toAppError(payError("SYSTEMERROR", 500))).toMatchObject({ code: "pay_busy", status: 503 });
    expect(toAppError(payError("FREQUENCY_LIMITED", 429))).toMatchObject({ code: "pay_quota" });
    expect(toAppError(payError("SIGN_ERROR", 401))).toMatchObject({ code: "pay_config", status: 500 });
    const user = toAppError(payError("NOT_ENOUGH", 403));
    expect(user).toMatchObject({ code: "pay_rejected", status: 422 });
    expect(user.userMessage).toBe("余额不足，请更换支付方式后重试。（微信支付错误码 NOT_ENOUGH）");
    expect(toAppError(payError("NOT_ENOUGH", 403), "rejected").userMessage).toBe(
      "商户账户可用余额不足，请充值后再退款。（微信支付错误码 NOT_ENOUGH）",
    );
    expect(toAppError(new WeChatPaySignatureError("stale", null, "x"))).toMatchObject({ code: "pay_unverified" });
  });
});
