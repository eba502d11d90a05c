import { describe, expect, it } from "vitest";
import {
  WECHAT_PAY_ERRORS,
  WeChatPayApiError,
  WeChatPaySignatureError,
  canonicalPayCode,
  describePayError,
  type PayErrorAction,
} from "./errors";

/** Every code docs/wechat-protocol.md names for the calls we make. */
const PROTOCOL_CODES = [
  "SYSTEM_ERROR",
  "BANK_ERROR",
  "USER_PAYING",
  "PARAM_ERROR",
  "INVALID_REQUEST",
  "SIGN_ERROR",
  "NO_AUTH",
  "APPID_MCHID_NOT_MATCH",
  "MCH_NOT_EXISTS",
  "OPENID_MISMATCH",
  "OUT_TRADE_NO_USED",
  "ORDERPAID",
  "ORDER_CLOSED",
  "ORDER_NOT_EXIST",
  "RESOURCE_NOT_EXISTS",
  "NOT_ENOUGH",
  "FREQUENCY_LIMITED",
  "RULE_LIMIT",
  "TRADE_ERROR",
  "ACCOUNT_ERROR",
  "USER_ACCOUNT_ABNORMAL",
];

const CJK = /[\u4e00-\u9fff]/;

describe("WECHAT_PAY_ERRORS", () => {
  it("covers the protocol's codes, each keyed by its own code, nothing else", () => {
    expect(Object.keys(WECHAT_PAY_ERRORS).sort()).toEqual([...PROTOCOL_CODES].sort());
    for (const code of PROTOCOL_CODES) expect(WECHAT_PAY_ERRORS[code]?.code).toBe(code);
  });

  it("gives every entry an English meaning, a short Chinese message and a documented status", () => {
    for (const info of Object.values(WECHAT_PAY_ERRORS)) {
      expect(info.meaning).not.toMatch(CJK);
      expect(info.userMessage).toMatch(CJK);
      expect(info.userMessage.length).toBeLessThanOrEqual(30);
      expect([202, 400, 401, 403, 404, 429, 500]).toContain(info.status);
    }
  });

  it.each<[string, PayErrorAction, number]>([
    ["SYSTEM_ERROR", "retry", 500],
    ["BANK_ERROR", "retry", 500],
    ["SIGN_ERROR", "fix_config", 401],
    ["APPID_MCHID_NOT_MATCH", "fix_config", 400],
    ["PARAM_ERROR", "bad_request", 400],
    ["OUT_TRADE_NO_USED", "bad_request", 403],
    // Documented with HTTP 500, but retrying the same openid cannot help.
    ["OPENID_MISMATCH", "bad_request", 500],
    ["ORDERPAID", "check_order", 400],
    ["ORDER_CLOSED", "check_order", 400],
    ["USER_PAYING", "check_order", 202],
    ["ORDER_NOT_EXIST", "not_found", 404],
    ["RESOURCE_NOT_EXISTS", "not_found", 404],
    ["FREQUENCY_LIMITED", "quota", 429],
    ["NOT_ENOUGH", "fail", 403],
  ])("%s: %s (HTTP %i)", (code, action, status) => {
    expect(describePayError(code)).toMatchObject({ code, action, status });
  });
});

describe("codes spelled two ways", () => {
  it.each([
    ["SYSTEMERROR", "SYSTEM_ERROR"],
    ["ORDERNOTEXIST", "ORDER_NOT_EXIST"],
    ["NOTENOUGH", "NOT_ENOUGH"],
    ["RULELIMIT", "RULE_LIMIT"],
    ["BANKERROR", "BANK_ERROR"],
    ["USERPAYING", "USER_PAYING"],
    ["ORDER_PAID", "ORDERPAID"],
    ["ORDERCLOSED", "ORDER_CLOSED"],
    ["system_error", "SYSTEM_ERROR"],
  ])("%s is %s", (received, canonical) => {
    expect(canonicalPayCode(received)).toBe(canonical);
    expect(describePayError(received).code).toBe(canonical);
  });
});

describe("unknown codes", () => {
  it("are retried on 5xx and not otherwise", () => {
    expect(describePayError("NEW_THING", 503)).toMatchObject({ code: "NEW_THING", action: "retry" });
    expect(describePayError("NEW_THING", 400)).toMatchObject({ action: "fail" });
    expect(describePayError("NEW_THING").userMessage).toMatch(CJK);
  });
});

describe("WeChatPayApiError", () => {
  it("carries status, canonical and received code, WeChat Pay's words, the path without query, and whether it was signed", () => {
    const error = new WeChatPayApiError({
      status: 500,
      code: "SYSTEMERROR",
      message: "系统错误",
      detail: { field: "x" },
      endpoint: "/v3/pay/transactions/out-trade-no/SO1?mchid=1",
      requestId: "08F1",
      verified: true,
    });
    expect(error).toMatchObject({
      name: "WeChatPayApiError",
      status: 500,
      code: "SYSTEM_ERROR",
      receivedCode: "SYSTEMERROR",
      wechatMessage: "系统错误",
      detail: { field: "x" },
      endpoint: "/v3/pay/transactions/out-trade-no/SO1",
      requestId: "08F1",
      verified: true,
    });
    expect(error.info.action).toBe("retry");
    expect(error.message).toBe(
      "WeChat Pay /v3/pay/transactions/out-trade-no/SO1 failed: HTTP 500 SYSTEM_ERROR 系统错误",
    );
  });

  it("names what was refused in a signature error", () => {
    expect(new WeChatPaySignatureError("stale", "/v3/x?mchid=1", "400 s").message).toBe(
      "WeChat Pay answer of /v3/x refused (stale): 400 s",
    );
    expect(new WeChatPaySignatureError("signtest", null, "probe")).toMatchObject({
      endpoint: null,
      problem: "signtest",
    });
  });
});
