import { describe, expect, it } from "vitest";
import type { CgiCall, CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";
import { QR_PERMANENT_MAX, WeChatQrCodes, qrProblem, showQrCodeUrl } from "./qrcode";

describe("qrProblem", () => {
  it("takes a scene of 1 to 64 characters (not bytes), without surrounding spaces", () => {
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: "一".repeat(64) }, 0)).toBeNull();
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: "a".repeat(65) }, 0)?.errcode).toBe(40097);
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: "" }, 0)?.errcode).toBe(40097);
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: " poster" }, 0)?.message).toContain("空格");
  });

  it("takes a temporary expiry of 60 s to 30 days and no expiry on a permanent code", () => {
    expect(qrProblem({ action: "QR_STR_SCENE", scene: "s", expireSeconds: 2_592_000 }, 0)).toBeNull();
    expect(qrProblem({ action: "QR_STR_SCENE", scene: "s" }, 0)).toBeNull();
    expect(qrProblem({ action: "QR_STR_SCENE", scene: "s", expireSeconds: 2_592_001 }, 0)?.errcode).toBe(40097);
    expect(qrProblem({ action: "QR_STR_SCENE", scene: "s", expireSeconds: 59 }, 0)?.errcode).toBe(40097);
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: "s", expireSeconds: 60 }, 0)?.errcode).toBe(40097);
  });

  it("refuses the 100,001st permanent code (45029); temporary codes are not counted", () => {
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: "s" }, QR_PERMANENT_MAX - 1)).toBeNull();
    expect(qrProblem({ action: "QR_LIMIT_STR_SCENE", scene: "s" }, QR_PERMANENT_MAX)?.errcode).toBe(45029);
    expect(qrProblem({ action: "QR_STR_SCENE", scene: "s" }, QR_PERMANENT_MAX)).toBeNull();
  });
});

describe("WeChatQrCodes", () => {
  const client = (answer: unknown) => {
    const calls: CgiCall<unknown>[] = [];
    const cgi: CgiClient = {
      async call<T>(call: CgiCall<T>): Promise<T> {
        calls.push(call as CgiCall<unknown>);
        return call.schema.parse(answer);
      },
    };
    return { cgi, calls };
  };

  it("sends WeChat's body for each kind and reads the answer", async () => {
    const { cgi, calls } = client({ ticket: "gQ1", expire_seconds: 600, url: "http://weixin.qq.com/q/x" });
    const codes = new WeChatQrCodes(cgi);
    expect(await codes.create({ action: "QR_STR_SCENE", scene: "login", expireSeconds: 600 }, 0)).toEqual({
      ticket: "gQ1",
      url: "http://weixin.qq.com/q/x",
      expireSeconds: 600,
    });
    expect(calls[0]).toMatchObject({
      path: "/cgi-bin/qrcode/create",
      idempotent: false,
      body: { expire_seconds: 600, action_name: "QR_STR_SCENE", action_info: { scene: { scene_str: "login" } } },
    });
    await codes.create({ action: "QR_LIMIT_STR_SCENE", scene: "poster" }, 0);
    expect(calls[1]!.body).toEqual({
      action_name: "QR_LIMIT_STR_SCENE",
      action_info: { scene: { scene_str: "poster" } },
    });
  });

  it("refuses before calling", async () => {
    const { cgi, calls } = client({});
    const error = await new WeChatQrCodes(cgi)
      .create({ action: "QR_LIMIT_STR_SCENE", scene: "" }, 0)
      .catch((e: unknown) => e);
    expect((error as WeChatApiError).errcode).toBe(40097);
    expect(calls).toEqual([]);
  });

  it("encodes the ticket in the showqrcode address", () => {
    expect(showQrCodeUrl("gQ+/=")).toBe("https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQ%2B%2F%3D");
  });
});
