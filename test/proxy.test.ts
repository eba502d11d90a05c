// proxy.ts's security headers as Next.js hands them on: the policy on the response and, with its nonce,
// on the request (what makes Next.js put the nonce on its scripts); Strict-Transport-Security only for an
// https APP_URL; the JS-SDK's hosts only on /me against the real WeChat. Each case imports the proxy
// afresh under its own environment (env() is read once per module instance).
import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { afterEach, describe, expect, it, vi } from "vitest";

async function proxyWith(vars: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return (await import("@/proxy")).proxy;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("proxy.ts's security headers", () => {
  it("sends Strict-Transport-Security when APP_URL is https, on every page", async () => {
    const proxy = await proxyWith({ APP_URL: "https://uc.example.com" });
    for (const path of ["/", "/me", "/auth/error", "/admin/signin"]) {
      const res = await proxy(new NextRequest(`https://uc.example.com${path}`));
      expect(res.headers.get("strict-transport-security"), path).toBe("max-age=31536000; includeSubDomains");
    }
  });

  it("sends no Strict-Transport-Security over plain http", async () => {
    const proxy = await proxyWith({ APP_URL: "http://localhost:3000" });
    const res = await proxy(new NextRequest("http://localhost:3000/auth/error"));
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("puts a fresh nonce on the response's policy and on the request Next.js renders", async () => {
    const proxy = await proxyWith({ APP_URL: "http://localhost:3000" });
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await proxy(new NextRequest("http://localhost:3000/me"));
      const policy = res.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
      expect(nonce).toBeDefined();
      // NextResponse.next({ request: { headers } }) hands these on as x-middleware-request-*.
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
      expect(res.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
      nonces.add(nonce!);
    }
    expect(nonces.size).toBe(5);
  });

  it("allows WeChat's JS-SDK hosts (its script, its report) on /me against the real WeChat only, and the simulator's avatars against it", async () => {
    const real = await proxyWith({ APP_URL: "http://localhost:3000", WECHAT_OAUTH_BASE: "https://open.weixin.qq.com" });
    const me = (await real(new NextRequest("http://localhost:3000/me"))).headers.get("content-security-policy");
    expect(me).toMatch(/script-src [^;]*https:\/\/res\.wx\.qq\.com/);
    expect(me).toMatch(/img-src [^;]*https:\/\/open\.weixin\.qq\.com/);
    expect(me).not.toContain("127.0.0.1");
    const other = (await real(new NextRequest("http://localhost:3000/auth/error"))).headers.get(
      "content-security-policy",
    );
    expect(other).not.toContain("res.wx.qq.com");
    expect(other).not.toContain("open.weixin.qq.com");

    const simulated = await proxyWith({ APP_URL: "http://localhost:3000", WECHAT_OAUTH_BASE: "http://127.0.0.1:4010" });
    const simMe = (await simulated(new NextRequest("http://localhost:3000/me"))).headers.get("content-security-policy");
    expect(simMe).not.toContain("res.wx.qq.com");
    expect(simMe).not.toContain("open.weixin.qq.com");
    expect(simMe).toMatch(
      /img-src 'self' data: https:\/\/thirdwx\.qlogo\.cn https:\/\/wx\.qlogo\.cn http:\/\/127\.0\.0\.1:4010/,
    );
  });

  it("runs for every page and the console's APIs, not for other APIs or Next's files", async () => {
    const { config } = await import("@/proxy");
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config, url });
    for (const url of ["/", "/me", "/auth/error", "/login/qr", "/admin", "/admin/users", "/api/admin/whoami"]) {
      expect(matches(url), url).toBe(true);
    }
    for (const url of ["/api/me", "/api/health", "/_next/static/chunks/a.js", "/icon.svg"]) {
      expect(matches(url), url).toBe(false);
    }
  });
});
