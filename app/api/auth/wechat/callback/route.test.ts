// GET /api/auth/wechat/callback through whole logins (login route → simulator → callback): the
// session cookie, returnTo that can never leave our origin, the cookie-loss restart, and where each
// failure lands. On SQLite and PostgreSQL.
import { unsealData } from "iron-session";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { CookieJar, makeRequest } from "@/test/support/cookies";
import { forEachDatabase } from "@/test/support/db";
import { OPEN_REDIRECT_ATTEMPTS } from "@/test/support/open-redirects";
import { browserLogin, useRouteWorld } from "@/test/support/routes";
import { authorizeAtSimulator, callsTo, EXCHANGE, WECHAT_UA } from "@/test/support/wechat-browser";

const APP = "http://localhost:3000";
const headers = { "user-agent": WECHAT_UA };

forEachDatabase((_kind, database) => {
  describe("GET /api/auth/wechat/callback", () => {
    const world = useRouteWorld(database);

    it("signs in: 302 to returnTo with an HttpOnly, SameSite=Lax session cookie (no Secure on http)", async () => {
      const w = world();
      const jar = new CookieJar();
      const { finished } = await browserLogin(w, jar, {
        scope: "snsapi_userinfo",
        returnTo: "/me?tab=1#x",
        user: "zhangsan",
      });
      expect(finished.status).toBe(302);
      expect(finished.headers.get("location")).toBe(`${APP}/me?tab=1#x`);
      expect(finished.headers.get("cache-control")).toBe("no-store");
      const session = jar.get("wcuc_session");
      expect(session?.attributes).toMatchObject({ path: "/", httponly: "", samesite: "Lax" });
      expect(session?.attributes).not.toHaveProperty("secure");
      expect(Number(session?.attributes["max-age"])).toBeGreaterThan(0);
    });

    it("seals the session cookie: nothing readable, and only userId, the session's id and times inside", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "zhangsan" });
      const user = await w.db.user.findFirstOrThrow({ include: { identities: true } });
      const raw = decodeURIComponent(jar.get("wcuc_session")?.value ?? "");
      expect(raw).toMatch(/^Fe26\.2\*/);
      const readable = [raw, ...raw.split("*").map((part) => Buffer.from(part, "base64url").toString("latin1"))].join(
        "\n",
      );
      for (const secret of [user.id, user.unionid ?? "", user.identities[0]?.openid ?? "", "userId", "张三"]) {
        expect(readable).not.toContain(secret);
      }
      const payload = await unsealData<Record<string, unknown>>(raw, { password: parseEnv({}, false).SESSION_SECRET });
      // sid: which session (sign-out revokes it); sat: when it was signed in, in ms (退出所有设备 ends older ones).
      expect(Object.keys(payload).sort()).toEqual(["iat", "sat", "sid", "userId"]);
      expect(payload.userId).toBe(user.id);
      expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(60);
      expect(Math.abs((payload.sat as number) - Date.now())).toBeLessThan(60_000);
      expect(payload.sid).toMatch(/^[A-Za-z0-9_-]{24}$/);
    });

    it("marks both cookies Secure when APP_URL is https", async () => {
      const w = world();
      await w.reload({ APP_URL: "https://localhost:3000" });
      const jar = new CookieJar();
      const { started, finished } = await browserLogin(w, jar, { returnTo: "/me" });
      expect(started.headers.getSetCookie()[0]).toMatch(/; Secure/);
      expect(finished.headers.get("location")).toBe("https://localhost:3000/me");
      expect(jar.get("wcuc_session")?.attributes).toHaveProperty("secure");
    });

    describe("returnTo never leaves our origin", () => {
      it.each(OPEN_REDIRECT_ATTEMPTS)("%j ends at /", async (attempt) => {
        const { finished } = await browserLogin(world(), new CookieJar(), { returnTo: attempt });
        expect(finished.status).toBe(302);
        expect(finished.headers.get("location")).toBe(`${APP}/`);
      });

      it.each([
        ["/me?tab=1#x", "/me?tab=1#x"],
        ["/me", "/me"],
        ["/a/b/../c", "/a/c"],
      ])("%j survives", async (returnTo, expected) => {
        const { finished } = await browserLogin(world(), new CookieJar(), { returnTo });
        expect(finished.headers.get("location")).toBe(`${APP}${expected}`);
      });
    });

    it("restarts once when WeChat's browser lost the binding cookie, then signs in", async () => {
      const w = world();
      const jar = new CookieJar();
      const started = await w.app.login(
        makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme`, { jar, headers }),
      );
      jar.store(started);
      const callback = await authorizeAtSimulator(w.sim, started.headers.get("location") ?? "");
      jar.delete("wcuc_login");
      const lost = await w.app.callback(makeRequest(callback.url, { jar, headers }));
      expect(lost.status).toBe(302);
      const restart = lost.headers.get("location") ?? "";
      expect(restart).toBe(`${APP}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme&attempt=2`);
      expect(lost.headers.getSetCookie()).toEqual([]);
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(0);

      const again = await w.app.login(makeRequest(restart, { jar, headers }));
      jar.store(again);
      const second = await authorizeAtSimulator(w.sim, again.headers.get("location") ?? "");
      const done = await w.app.callback(makeRequest(second.url, { jar, headers }));
      jar.store(done);
      expect(done.headers.get("location")).toBe(`${APP}/me`);
      expect(jar.get("wcuc_session")).toBeDefined();
      expect((await w.db.loginState.findUniqueOrThrow({ where: { state: second.state ?? "" } })).attempt).toBe(2);
    });

    it("sends a second cookie loss to the error page", async () => {
      const w = world();
      const jar = new CookieJar();
      const started = await w.app.login(
        makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme&attempt=2`, { jar, headers }),
      );
      const callback = await authorizeAtSimulator(w.sim, started.headers.get("location") ?? "");
      const res = await w.app.callback(makeRequest(callback.url, { headers }));
      expect(res.headers.get("location")).toBe(`${APP}/auth/error?code=state_invalid`);
    });

    it("answers a refreshed callback page with the same landing and no new session or exchange", async () => {
      const w = world();
      const jar = new CookieJar();
      const started = await w.app.login(
        makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme`, { jar, headers }),
      );
      jar.store(started);
      const callback = await authorizeAtSimulator(w.sim, started.headers.get("location") ?? "");
      const first = await w.app.callback(makeRequest(callback.url, { jar, headers }));
      jar.store(first);
      const replay = await w.app.callback(makeRequest(callback.url, { jar, headers }));
      expect(replay.headers.get("location")).toBe(`${APP}/me`);
      expect(replay.headers.getSetCookie()).toEqual([]);
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
    });

    it.each([
      ["no state", "?code=abc", "/auth/error?code=state_invalid"],
      ["an unknown state", "?code=abc&state=Unknown0000000000000000000000000", "/auth/error?code=state_invalid"],
      ["a malformed state", "?code=abc&state=not-alnum!", "/auth/error?code=state_invalid"],
      ["an oversized code", `?code=${"c".repeat(600)}&state=abc`, "/auth/error?code=state_invalid"],
    ])("sends %s to the error page without calling WeChat", async (_name, query, path) => {
      const w = world();
      const res = await w.app.callback(makeRequest(`${APP}/api/auth/wechat/callback${query}`, { headers }));
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(`${APP}${path}`);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(0);
    });

    it("consent denied: the error page when signed out, back to returnTo when signed in", async () => {
      const w = world();
      const signedOut = await browserLogin(w, new CookieJar(), { scope: "snsapi_userinfo", deny: true });
      expect(signedOut.finished.headers.get("location")).toBe(`${APP}/auth/error?code=consent_denied`);

      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_base", user: "lisi" });
      const session = jar.get("wcuc_session")?.value;
      const declined = await browserLogin(w, jar, { scope: "snsapi_userinfo", returnTo: "/me", deny: true });
      expect(declined.finished.headers.get("location")).toBe(`${APP}/me`);
      expect(jar.get("wcuc_session")?.value).toBe(session);
    });

    it("sends a snapshot-page user to the snapshot page and stores nobody", async () => {
      const w = world();
      const jar = new CookieJar();
      const { finished } = await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "snapshot" });
      expect(finished.headers.get("location")).toBe(`${APP}/auth/snapshot`);
      expect(jar.get("wcuc_session")).toBeUndefined();
      expect(await w.db.user.count()).toBe(0);
    });

    it("maps WeChat's refusal of the code to the reauthorize error page with its errcode", async () => {
      const w = world();
      w.sim.failNext(EXCHANGE, { kind: "errcode", errcode: 40029 });
      const { finished } = await browserLogin(w, new CookieJar(), {});
      expect(finished.headers.get("location")).toBe(`${APP}/auth/error?code=reauthorize&errcode=40029`);
    });
  });
});
