// GET /api/auth/wechat/login: the authorize link WeChat's strict pattern accepts, the binding
// cookie, and where other browsers and bad input go. On SQLite and PostgreSQL (it stores the state).
import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS } from "@/simulator/server";
import { CookieJar, makeRequest, parseSetCookie } from "@/test/support/cookies";
import { forEachDatabase } from "@/test/support/db";
import { useRouteWorld } from "@/test/support/routes";
import { authorizeAtSimulator, DESKTOP_CHROME_UA, WECHAT_UA } from "@/test/support/wechat-browser";

const APP = "http://localhost:3000";
const CALLBACK = `${APP}/api/auth/wechat/callback`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function authorizePattern(simUrl: string, scope: string): RegExp {
  return new RegExp(
    "^" +
      escapeRegExp(`${simUrl}/connect/oauth2/authorize?appid=${SIM_DEFAULTS.appId}`) +
      escapeRegExp(`&redirect_uri=${encodeURIComponent(CALLBACK)}`) +
      escapeRegExp(`&response_type=code&scope=${scope}`) +
      "&state=([A-Za-z0-9]{1,128})" +
      escapeRegExp("&connect_redirect=1#wechat_redirect") +
      "$",
  );
}

forEachDatabase((_kind, database) => {
  describe("GET /api/auth/wechat/login", () => {
    const world = useRouteWorld(database);

    async function get(query: string, headers: Record<string, string> = { "user-agent": WECHAT_UA }, jar?: CookieJar) {
      return world().app.login(makeRequest(`${APP}/api/auth/wechat/login${query}`, { headers, jar }));
    }

    it.each(["snsapi_base", "snsapi_userinfo"])(
      "redirects to WeChat's authorize link, parameters in order (%s)",
      async (scope) => {
        const w = world();
        const res = await get(`?scope=${scope}&returnTo=%2Fme`);
        expect(res.status).toBe(302);
        expect(res.headers.get("cache-control")).toBe("no-store");
        const location = res.headers.get("location") ?? "";
        const match = authorizePattern(w.sim.url, scope).exec(location);
        expect(match, location).not.toBeNull();
        const state = match?.[1] ?? "";
        // redirect_uri is encoded exactly once.
        expect(location).toContain("redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fauth%2Fwechat%2Fcallback&");
        expect(location).not.toContain("%25");
        const row = await w.db.loginState.findUniqueOrThrow({ where: { state } });
        expect(row).toMatchObject({ scope, returnTo: "/me", status: "pending", attempt: 1 });
        // The simulator, as strict as WeChat, accepts the link.
        const callback = await authorizeAtSimulator(w.sim, location, { user: "zhangsan" });
        expect(callback.url.startsWith(`${CALLBACK}?code=`)).toBe(true);
        expect(callback.state).toBe(state);
      },
    );

    it("defaults to snsapi_base and /", async () => {
      const w = world();
      const location = (await get("")).headers.get("location") ?? "";
      const state = authorizePattern(w.sim.url, "snsapi_base").exec(location)?.[1] ?? "";
      expect((await w.db.loginState.findUniqueOrThrow({ where: { state } })).returnTo).toBe("/");
    });

    it("sets the binding cookie: HttpOnly, SameSite=Lax, scoped to the auth routes, 10 minutes", async () => {
      const res = await get("?scope=snsapi_base");
      const cookies = res.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      const cookie = parseSetCookie(cookies[0] ?? "");
      expect(cookie.name).toBe("wcuc_login");
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.attributes).toMatchObject({
        path: "/api/auth/wechat",
        "max-age": "600",
        httponly: "",
        samesite: "Lax",
      });
      expect(cookie.attributes).not.toHaveProperty("secure");
      // The cookie holds a random value; the database keeps only its hash.
      const row = await world().db.loginState.findFirstOrThrow();
      expect(row.bindingHash).not.toContain(cookie.value);
    });

    it("keeps the browser's existing binding, so two tabs can log in at once", async () => {
      const jar = new CookieJar();
      const first = await get("?scope=snsapi_base", { "user-agent": WECHAT_UA }, jar);
      jar.store(first);
      const second = await get("?scope=snsapi_base", { "user-agent": WECHAT_UA }, jar);
      expect(parseSetCookie(second.headers.getSetCookie()[0] ?? "").value).toBe(jar.get("wcuc_login")?.value);
      const states = await world().db.loginState.findMany();
      expect(states).toHaveLength(2);
      expect(states[0]?.bindingHash).toBe(states[1]?.bindingHash);
    });

    it.each(["?scope=snsapi_login", "?scope=", "?attempt=3", `?returnTo=${"a".repeat(3000)}`])(
      "sends bad input %s to the error page without storing anything",
      async (query) => {
        const res = await get(query);
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe(`${APP}/auth/error?code=bad_request`);
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(await world().db.loginState.count()).toBe(0);
      },
    );

    it("stores a safe returnTo only", async () => {
      const w = world();
      await get(`?returnTo=${encodeURIComponent("//evil.com")}`);
      expect((await w.db.loginState.findFirstOrThrow()).returnTo).toBe("/");
    });

    describe("WECHAT_BROWSER_ONLY=1", () => {
      it("sends a desktop browser to the open-in-WeChat page and a WeChat browser to WeChat", async () => {
        const w = world();
        const app = await w.reload({ WECHAT_BROWSER_ONLY: "1" });
        const desktop = await app.login(
          makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_userinfo&returnTo=%2Fme`, {
            headers: { "user-agent": DESKTOP_CHROME_UA },
          }),
        );
        expect(desktop.status).toBe(302);
        expect(desktop.headers.get("location")).toBe(`${APP}/auth/open-in-wechat?returnTo=%2Fme`);
        expect(desktop.headers.getSetCookie()).toEqual([]);
        expect(await w.db.loginState.count()).toBe(0);

        const wechat = await app.login(
          makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_userinfo&returnTo=%2Fme`, {
            headers: { "user-agent": WECHAT_UA },
          }),
        );
        expect(wechat.headers.get("location")).toMatch(authorizePattern(w.sim.url, "snsapi_userinfo"));
      });

      it("without it (against the simulator) any browser may log in", async () => {
        const res = await get("?scope=snsapi_base", { "user-agent": DESKTOP_CHROME_UA });
        expect(res.headers.get("location")).toMatch(authorizePattern(world().sim.url, "snsapi_base"));
      });
    });

    describe("a looped login link", () => {
      it("is refused with 429 per client address, before any login state is written", async () => {
        const w = world();
        const app = await w.reload({ TRUST_PROXY_HOPS: "1", LOGIN_STARTS_PER_MINUTE_PER_ADDRESS: "5" });
        const from = (address: string) =>
          app.login(
            makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_base`, {
              headers: { "user-agent": WECHAT_UA, "x-forwarded-for": address },
            }),
          );
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) statuses.push((await from("203.0.113.50")).status);
        expect(statuses.slice(0, 5)).toEqual(Array(5).fill(302));
        expect(statuses.slice(5)).toEqual(Array(35).fill(429));
        expect(await w.db.loginState.count()).toBe(5);
        const refused = await from("203.0.113.50");
        expect(refused.headers.get("retry-after")).toBe("12");
        expect(refused.headers.get("set-cookie")).toBeNull();
        // The page sends a browser on to the friendly error page (no script needed).
        const html = await refused.text();
        expect(html).toContain(`url=${APP}/auth/error?code=login_rate_limited`);
        expect(html).toContain("登录请求过于频繁");
        // Another address is not affected; a forged left-hand entry does not buy a fresh bucket.
        expect((await from("198.51.100.7")).status).toBe(302);
        expect((await from("6.6.6.6, 203.0.113.50")).status).toBe(429);
        expect(await w.db.loginState.count()).toBe(6);
      });

      it("is refused with 429 for all clients together beyond the process's rate, whatever the addresses", async () => {
        const w = world();
        const app = await w.reload({ LOGIN_STARTS_PER_SECOND: "10" });
        const statuses: number[] = [];
        const started = performance.now();
        for (let i = 0; i < 60; i++) {
          const res = await app.login(
            makeRequest(`${APP}/api/auth/wechat/login?scope=snsapi_base`, {
              headers: { "user-agent": WECHAT_UA, "x-forwarded-for": `198.51.100.${i}` },
            }),
          );
          statuses.push(res.status);
        }
        // A burst of 10, then 10 a second: however slow the machine ran the loop, no more than that got in.
        const refill = Math.ceil(((performance.now() - started) / 1000) * 10);
        expect(statuses.slice(0, 10)).toEqual(Array(10).fill(302));
        expect(statuses.filter((s) => s === 302).length).toBeLessThanOrEqual(10 + refill);
        expect(statuses).toContain(429);
        expect(await w.db.loginState.count()).toBe(statuses.filter((s) => s === 302).length);
      });
    });
  });
});
