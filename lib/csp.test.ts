import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, inlineHashes, newNonce, strictTransportSecurity, WECHAT_JSSDK } from "./csp";

const AVATARS = ["https://thirdwx.qlogo.cn", "https://wx.qlogo.cn"];

/** The policy as a map from directive to its sources. */
function parse(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );
}

describe("contentSecurityPolicy", () => {
  it("lets a per-request page run only scripts with its nonce, and what they load", () => {
    const policy = parse(contentSecurityPolicy({ nonce: "abc123", development: false, imgOrigins: AVATARS }));
    expect(policy.get("script-src")).toEqual(["'nonce-abc123'", "'strict-dynamic'", "'self'"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'nonce-abc123'"]);
    expect(policy.get("style-src-attr")).toEqual(["'unsafe-inline'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("img-src")).toEqual(["'self'", "data:", ...AVATARS]);
  });

  it("never allows inline scripts or eval in production", () => {
    for (const nonce of ["n0nce", null]) {
      const policy = contentSecurityPolicy({ nonce, development: false, imgOrigins: AVATARS, inlineStyles: true });
      expect(parse(policy).get("script-src")).not.toContain("'unsafe-inline'");
      expect(policy).not.toContain("'unsafe-eval'");
    }
  });

  it("allows eval only in development (React's dev tools)", () => {
    const dev = parse(contentSecurityPolicy({ nonce: "n", development: true, imgOrigins: [] }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    // Its own <style> elements (fast refresh, the error overlay) carry no nonce.
    expect(dev.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("gives a prerendered page its inline scripts by hash and Next's chunks by 'self', without strict-dynamic", () => {
    const policy = parse(
      contentSecurityPolicy({
        nonce: null,
        scriptHashes: ["sha256-AAA=", "sha256-BBB=", "sha256-AAA="],
        styleHashes: ["sha256-CCC="],
        development: false,
        imgOrigins: AVATARS,
      }),
    );
    expect(policy.get("script-src")).toEqual(["'self'", "'sha256-AAA='", "'sha256-BBB='"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'sha256-CCC='"]);
    expect([...policy.values()].flat().some((s) => s.startsWith("'nonce-"))).toBe(false);
  });

  it("lets an address no route has run either Next's prerendered 404 or one rendered for it: nonce, hashes and 'self'", () => {
    const policy = parse(
      contentSecurityPolicy({
        nonce: "n404",
        scriptHashes: ["sha256-AAA="],
        styleHashes: ["sha256-CCC="],
        development: false,
        imgOrigins: AVATARS,
      }),
    );
    // Without 'strict-dynamic', which would make the browser ignore 'self' and so the prerendered 404's chunks.
    expect(policy.get("script-src")).toEqual(["'nonce-n404'", "'self'", "'sha256-AAA='"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'nonce-n404'", "'sha256-CCC='"]);
    expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
  });

  it("gives /me against the real WeChat what jweixin 1.6.0 reaches: its script host and its report's image host", () => {
    const me = parse(contentSecurityPolicy({ nonce: "n", development: false, imgOrigins: AVATARS, wechatJssdk: true }));
    expect(me.get("script-src")).toEqual(["'nonce-n'", "'strict-dynamic'", "'self'", "https://res.wx.qq.com"]);
    expect(me.get("img-src")).toEqual(["'self'", "data:", ...AVATARS, "https://open.weixin.qq.com"]);
    // It talks to WeChat through the client's bridge: no request of its own, no frame, no eval.
    expect(me.get("connect-src")).toEqual(["'self'"]);
    expect(me.get("default-src")).toEqual(["'self'"]);
    expect(me.has("frame-src")).toBe(false);
    expect(me.get("script-src")).not.toContain("'unsafe-eval'");
    expect(WECHAT_JSSDK).toEqual({ scriptOrigin: "https://res.wx.qq.com", reportOrigin: "https://open.weixin.qq.com" });
  });

  it("lets /cards/<id> against the simulator load the wx.addCard stand-in and call its origin, nothing more", () => {
    const sim = "http://127.0.0.1:4010";
    const page = parse(
      contentSecurityPolicy({ nonce: "n", development: false, imgOrigins: AVATARS, simulatorOrigin: sim }),
    );
    expect(page.get("script-src")).toEqual(["'nonce-n'", "'strict-dynamic'", "'self'", sim]);
    expect(page.get("connect-src")).toEqual(["'self'", sim]);
    expect(page.get("img-src")).toEqual(["'self'", "data:", ...AVATARS]);
    expect(contentSecurityPolicy({ nonce: "n", development: false, imgOrigins: AVATARS })).not.toContain(sim);
  });

  it("names no JS-SDK host unless asked (every other page, and /me against the simulator)", () => {
    for (const nonce of ["n", null]) {
      const policy = contentSecurityPolicy({ nonce, development: false, imgOrigins: AVATARS });
      expect(policy).not.toContain("res.wx.qq.com");
      expect(policy).not.toContain("open.weixin.qq.com");
    }
  });

  it("lets the cashier against the simulator load its WeixinJSBridge stand-in and call it, and no other page", () => {
    const sim = "http://127.0.0.1:4110";
    const cashier = parse(
      contentSecurityPolicy({ nonce: "n", development: false, imgOrigins: [], payBridgeOrigin: sim }),
    );
    expect(cashier.get("script-src")).toEqual(["'nonce-n'", "'strict-dynamic'", "'self'", sim]);
    expect(cashier.get("connect-src")).toEqual(["'self'", sim]);
    for (const payBridgeOrigin of [null, undefined]) {
      const other = parse(contentSecurityPolicy({ nonce: "n", development: false, imgOrigins: [], payBridgeOrigin }));
      expect(other.get("script-src")).toEqual(["'nonce-n'", "'strict-dynamic'", "'self'"]);
      expect(other.get("connect-src")).toEqual(["'self'"]);
    }
  });

  it("allows inline <style> elements only to pages that ask (Ant Design's), and then no nonce", () => {
    const console = parse(
      contentSecurityPolicy({ nonce: "n", development: false, imgOrigins: [], inlineStyles: true }),
    );
    expect(console.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(console.get("script-src")).toContain("'nonce-n'");
  });
});

describe("strictTransportSecurity", () => {
  it("is a year with subdomains on https, and nothing on http", () => {
    expect(strictTransportSecurity("https://uc.example.com")).toBe("max-age=31536000; includeSubDomains");
    expect(strictTransportSecurity("http://localhost:3000")).toBeNull();
  });
});

describe("newNonce", () => {
  it("is 128 random bits, fresh each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("inlineHashes", () => {
  const sha = (text: string) => `sha256-${createHash("sha256").update(text).digest("base64")}`;

  it("hashes inline scripts and styles as written, not external scripts or JSON", () => {
    const html =
      `<html><head><style id="x">.a{color:red}</style><script src="/_next/a.js" async=""></script></head>` +
      `<body><script>self.__next_f.push([1,"é"])</script><script id="_R_">\n(a)</script>` +
      `<script type="application/json">{"a":1}</script><script></script></body></html>`;
    expect(inlineHashes(html)).toEqual({
      scripts: [sha('self.__next_f.push([1,"é"])'), sha("\n(a)")],
      styles: [sha(".a{color:red}")],
    });
  });
});
