import { describe, expect, it } from "vitest";
import { createJssdkConfig, jssdkSignature, nonceStr, signableUrl } from "./jssdk";

describe("jssdkSignature", () => {
  it("matches WeChat's documented example", () => {
    // From the JS-SDK documentation (附录1-JS-SDK使用权限签名算法).
    expect(
      jssdkSignature({
        ticket: "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        nonceStr: "Wm3WZYTPz0wzccnW",
        timestamp: 1414587457,
        url: "http://mp.weixin.qq.com?params=value",
      }),
    ).toBe("0f9de62fce790f9a083d5c99e95740ceb90c27ed");
  });
});

describe("signableUrl", () => {
  const origin = "https://uc.example.com";
  it("keeps a page of our origin as sent, without its fragment", () => {
    expect(signableUrl("https://uc.example.com/me?a=1&b=%E4%B8%AD#x", origin)).toBe(
      "https://uc.example.com/me?a=1&b=%E4%B8%AD",
    );
  });
  it.each([
    "https://evil.example.com/me",
    "http://uc.example.com/me",
    "https://uc.example.com.evil.com/",
    "https://user:pw@uc.example.com/me",
    "javascript:alert(1)",
    "/me",
    "https://uc.example.com/a b",
  ])("refuses %s", (url) => {
    expect(signableUrl(url, origin)).toBeUndefined();
  });
});

describe("createJssdkConfig", () => {
  it("signs with a 16-character nonce and a timestamp in seconds", () => {
    let n = 0;
    const config = createJssdkConfig({
      appId: "wx1",
      ticket: "T",
      url: "https://uc.example.com/me",
      nowMs: 1_700_000_000_999,
      randomBytes: (len) => Uint8Array.from({ length: len }, () => n++ % 256),
    });
    expect(config.timestamp).toBe(1_700_000_000);
    expect(config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(config.signature).toBe(
      jssdkSignature({
        ticket: "T",
        nonceStr: config.nonceStr,
        timestamp: config.timestamp,
        url: "https://uc.example.com/me",
      }),
    );
  });
  it("nonceStr skips biased bytes", () => {
    expect(
      nonceStr(() => Uint8Array.from([255, 0, 61, 62, 250, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), 4),
    ).toBe("A9AB");
  });
});
