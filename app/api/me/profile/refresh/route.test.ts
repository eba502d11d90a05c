// POST /api/me/profile/refresh: 200 with the fresh profile; 401 with where to authorize again; 403
// for cross-site requests. On SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { CookieJar, makeRequest } from "@/test/support/cookies";
import { forEachDatabase } from "@/test/support/db";
import { browserLogin, useRouteWorld } from "@/test/support/routes";
import { callsTo, REFRESH, USERINFO } from "@/test/support/wechat-browser";

const APP = "http://localhost:3000";
const URL_ = `${APP}/api/me/profile/refresh`;
const SAME_ORIGIN = { origin: APP };
const REAUTHORIZE_URL = "/api/auth/wechat/login?scope=snsapi_userinfo&returnTo=%2Fme";

type ErrorBody = { error: { code: string; message: string; errcode?: number; reauthorizeUrl?: string } };

forEachDatabase((_kind, database) => {
  describe("POST /api/me/profile/refresh", () => {
    const world = useRouteWorld(database);

    it("pulls the profile again and returns it", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      await w.db.user.updateMany({ data: { nickname: "旧昵称" } });
      const res = await w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers: SAME_ORIGIN }));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      const body = (await res.json()) as { user: { nickname: string } };
      expect(body.user.nickname).toBe("张三");
      expect((await w.db.user.findFirstOrThrow()).nickname).toBe("张三");
      expect(callsTo(w.sim, USERINFO)).toHaveLength(2);
      // Same-origin by Referer works too (some browsers send no Origin), a minute later (one refresh a minute).
      await w.db.user.updateMany({ data: { profileRefreshedAt: null } });
      const byReferer = await w.app.refreshProfile(
        makeRequest(URL_, { method: "POST", jar, headers: { referer: `${APP}/me` } }),
      );
      expect(byReferer.status).toBe(200);
    });

    it("one refresh a minute per person: 429 with Retry-After, without asking WeChat", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      const post = () => w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers: SAME_ORIGIN }));
      expect((await post()).status).toBe(200);
      const calls = callsTo(w.sim, USERINFO).length;
      const [second, third] = await Promise.all([post(), post()]);
      for (const res of [second, third]) {
        expect(res.status).toBe(429);
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(60);
        expect(((await res.json()) as ErrorBody).error).toEqual({
          code: "profile_refresh_limited",
          message: "资料刚刚刷新过，请 1 分钟后再试。",
        });
      }
      expect(callsTo(w.sim, USERINFO)).toHaveLength(calls);
      // The turn is kept in the database, so another instance sees it too; past the minute it is free.
      await w.db.user.updateMany({ data: { profileRefreshedAt: new Date(Date.now() - 61_000) } });
      expect((await post()).status).toBe(200);
    });

    it("a refresh that asks to authorize again gives its turn back", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      w.sim.revoke(w.sim.users[0]?.openid ?? "");
      const post = () => w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers: SAME_ORIGIN }));
      expect((await post()).status).toBe(401);
      expect((await w.db.user.findFirstOrThrow()).profileRefreshedAt).toBeNull();
    });

    it("401 with code and reauthorizeUrl when the authorization was revoked", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      w.sim.revoke(w.sim.users[0]?.openid ?? "");
      const res = await w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers: SAME_ORIGIN }));
      expect(res.status).toBe(401);
      const body = (await res.json()) as ErrorBody;
      expect(body.error).toEqual({
        code: "reauthorize",
        message: "授权已失效，请重新授权登录。",
        errcode: 40030,
        reauthorizeUrl: REAUTHORIZE_URL,
      });
      expect(callsTo(w.sim, REFRESH)).toHaveLength(1);
    });

    it("401 need_userinfo with reauthorizeUrl for a snsapi_base user", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_base", user: "lisi" });
      const res = await w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers: SAME_ORIGIN }));
      expect(res.status).toBe(401);
      const body = (await res.json()) as ErrorBody;
      expect(body.error).toMatchObject({ code: "need_userinfo", reauthorizeUrl: REAUTHORIZE_URL });
      expect(callsTo(w.sim, USERINFO)).toHaveLength(0);
    });

    it("401 unauthenticated, without a reauthorize link, when signed out", async () => {
      const res = await world().app.refreshProfile(makeRequest(URL_, { method: "POST", headers: SAME_ORIGIN }));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthenticated", message: "请先登录。" } });
    });

    it("503 wechat_busy when WeChat stays busy, with no reauthorize link", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      w.sim.failNext(USERINFO, { kind: "busy" }, 3);
      const res = await w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers: SAME_ORIGIN }));
      expect(res.status).toBe(503);
      expect(((await res.json()) as ErrorBody).error).toEqual({
        code: "wechat_busy",
        message: "微信服务繁忙，请稍后重试。",
        errcode: -1,
      });
    });

    it.each([
      ["a foreign Origin", { origin: "https://evil.com" }],
      ["a foreign Referer", { referer: "https://evil.com/page" }],
      ["a cross-site fetch without Origin", { "sec-fetch-site": "cross-site" }],
      ["an Origin on another port", { origin: "http://localhost:3001" }],
    ])("403 cross_site for %s, before touching the session or WeChat", async (_name, headers) => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      const res = await w.app.refreshProfile(makeRequest(URL_, { method: "POST", jar, headers }));
      expect(res.status).toBe(403);
      expect(((await res.json()) as ErrorBody).error.code).toBe("cross_site");
      expect(callsTo(w.sim, USERINFO)).toHaveLength(1);
    });
  });
});
