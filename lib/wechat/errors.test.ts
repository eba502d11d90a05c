import { describe, expect, it } from "vitest";
import {
  WECHAT_ERRORS,
  WeChatApiError,
  WeChatTransportError,
  describeWeChatError,
  endpointPath,
  type WeChatErrorAction,
} from "./errors";

const PROTOCOL_CODES = [
  -1, 40001, 40002, 40003, 40013, 40014, 40029, 40030, 40032, 40125, 40163, 40164, 41008, 42001, 42002, 42003, 45009,
  45011, 45056, 45057, 45058, 45059, 45157, 45158, 45159, 47001, 48001, 49003, 10003, 10004, 10005, 10006, 10009, 10010,
  10011, 10012, 10013, 10015, 10016,
  // custom menus
  40016, 40017, 40018, 40019, 40020, 40023, 40024, 40025, 40026, 40027, 40054, 40055, 46003, 65301, 65302, 65303, 65304,
  65305, 65316,
  // QR codes
  40097, 45029,
  // template and customer service messages
  40008, 40037, 40039, 43004, 43019, 44004, 45002, 45015, 45026, 45047, 47003,
  // cards and coupons
  40005, 40009, 40056, 40071, 40073, 40076, 40078, 40079, 40080, 40099, 40122, 40127, 40141, 41011, 41012, 45021, 45030,
  45031, 45033, 45041,
];

const CJK = /[\u4e00-\u9fff]/;

describe("WECHAT_ERRORS", () => {
  it("covers every errcode of the protocol reference, each entry keyed by its own code", () => {
    for (const code of PROTOCOL_CODES) {
      const info = WECHAT_ERRORS[code];
      expect(info, `errcode ${code}`).toBeDefined();
      expect(info?.errcode).toBe(code);
    }
    expect(Object.keys(WECHAT_ERRORS).map(Number).sort()).toEqual([...PROTOCOL_CODES].sort());
  });

  it("gives every entry an English meaning and a Chinese user message", () => {
    for (const info of Object.values(WECHAT_ERRORS)) {
      expect(info.meaning.length).toBeGreaterThan(5);
      expect(info.meaning).not.toMatch(CJK);
      expect(info.userMessage).toMatch(CJK);
      expect(info.userMessage.length).toBeLessThanOrEqual(30);
    }
  });

  it.each<[number, WeChatErrorAction]>([
    [-1, "retry"],
    [40029, "reauthorize"],
    [40163, "reauthorize"],
    [42003, "reauthorize"],
    [41008, "reauthorize"],
    [42001, "refresh_token"],
    [40014, "refresh_token"],
    [40001, "refresh_token"],
    [42002, "reauthorize"],
    [40030, "reauthorize"],
    [48001, "reauthorize"],
    [40003, "reauthorize"],
    [40013, "fix_config"],
    [40125, "fix_config"],
    [40164, "fix_config"],
    [40002, "fix_config"],
    [10003, "fix_config"],
    [10005, "fix_config"],
    [10016, "fix_config"],
    [45009, "quota"],
    [10009, "quota"],
    [40032, "bad_request"],
    [40099, "bad_request"],
    [45033, "bad_request"],
    [45157, "bad_request"],
    [10004, "fail"],
  ])("errcode %i → %s", (code, action) => {
    expect(describeWeChatError(code).action).toBe(action);
  });

  it("cannot be mutated by a careless caller", () => {
    expect(Object.isFrozen(WECHAT_ERRORS)).toBe(true);
    expect(Object.isFrozen(WECHAT_ERRORS[40029])).toBe(true);
  });
});

describe("describeWeChatError", () => {
  it("returns a safe generic entry for unknown codes, keeping the code", () => {
    const info = describeWeChatError(99999);
    expect(info).toMatchObject({ errcode: 99999, action: "fail" });
    expect(info.userMessage).toMatch(CJK);
  });
});

describe("WeChatApiError", () => {
  it("carries errcode, errmsg, path-only endpoint and the table entry", () => {
    const error = new WeChatApiError({
      errcode: 48001,
      errmsg: "api unauthorized",
      endpoint: "/sns/userinfo?access_token=TOKEN123&openid=o1",
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("WeChatApiError");
    expect(error.message).toBe("WeChat /sns/userinfo failed: 48001 api unauthorized");
    expect(error.endpoint).toBe("/sns/userinfo");
    expect(error.info).toBe(WECHAT_ERRORS[48001]);
    expect(JSON.stringify(error)).not.toContain("TOKEN123");
  });
});

describe("WeChatTransportError", () => {
  it("keeps kind, status and the original cause", () => {
    const cause = new Error("socket hang up");
    const error = new WeChatTransportError({
      kind: "http_status",
      endpoint: "/sns/auth#x",
      status: 502,
      message: "returned HTTP 502",
      cause,
    });
    expect(error.kind).toBe("http_status");
    expect(error.status).toBe(502);
    expect(error.endpoint).toBe("/sns/auth");
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("WeChat /sns/auth returned HTTP 502");
  });

  it("has no cause when none was given", () => {
    const error = new WeChatTransportError({ kind: "timeout", endpoint: "/sns/auth", message: "timed out" });
    expect("cause" in error).toBe(false);
    expect(error.status).toBeUndefined();
  });
});

describe("endpointPath", () => {
  it("drops query and fragment", () => {
    expect(endpointPath("/sns/oauth2/access_token?appid=a&secret=s")).toBe("/sns/oauth2/access_token");
    expect(endpointPath("/a#b")).toBe("/a");
    expect(endpointPath("/a")).toBe("/a");
  });
});
