import { afterEach, describe, expect, it, vi } from "vitest";
import { avatarUrl } from "./avatar";

// Outside production WECHAT_OAUTH_BASE defaults to the simulator (http://localhost:4010).
describe("avatarUrl", () => {
  it.each([
    ["https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132", "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132"],
    ["http://thirdwx.qlogo.cn/mmopen/abc/0", "https://thirdwx.qlogo.cn/mmopen/abc/0"],
    ["https://wx.qlogo.cn/mmhead/xyz/132", "https://wx.qlogo.cn/mmhead/xyz/132"],
  ])("keeps WeChat's avatar hosts (%s), over https", (stored, shown) => {
    expect(avatarUrl(stored)).toBe(shown);
  });

  it.each([
    "https://tracker.example.com/pixel.gif",
    "https://thirdwx.qlogo.cn.evil.example/x.png",
    "https://user:pw@thirdwx.qlogo.cn/x",
    "javascript:alert(1)",
    "data:image/svg+xml,<svg/>",
    "//thirdwx.qlogo.cn/x",
    "not a url",
    "",
  ])("refuses %j", (stored) => {
    expect(avatarUrl(stored)).toBeNull();
  });

  it("is null for nothing stored", () => {
    expect(avatarUrl(null)).toBeNull();
    expect(avatarUrl(undefined)).toBeNull();
  });
});

describe("avatarOrigins", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function originsWith(oauthBase: string) {
    vi.resetModules();
    vi.stubEnv("WECHAT_OAUTH_BASE", oauthBase);
    return [...(await import("./avatar")).avatarOrigins()];
  }

  it("against the real WeChat, are its avatar hosts only (not open.weixin.qq.com, where it signs people in)", async () => {
    expect(await originsWith("https://open.weixin.qq.com")).toEqual([
      "https://thirdwx.qlogo.cn",
      "https://wx.qlogo.cn",
    ]);
  });

  it("against the simulator, add the simulator, which serves its people's pictures", async () => {
    expect(await originsWith("http://127.0.0.1:4010")).toEqual([
      "https://thirdwx.qlogo.cn",
      "https://wx.qlogo.cn",
      "http://127.0.0.1:4010",
    ]);
  });
});
