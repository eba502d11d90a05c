// POST /api/auth/logout ends the browser's session; cross-site requests are refused.
import { describe, expect, it } from "vitest";
import { CookieJar, makeRequest, parseSetCookie } from "@/test/support/cookies";
import { forEachDatabase } from "@/test/support/db";
import { browserLogin, useRouteWorld } from "@/test/support/routes";

const APP = "http://localhost:3000";

forEachDatabase((_kind, database) => {
  describe("POST /api/auth/logout", () => {
    const world = useRouteWorld(database);

    it("ends the session: the cookie is cleared and /api/me is 401 again", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_base" });
      expect((await w.app.me(makeRequest(`${APP}/api/me`, { jar }))).status).toBe(200);

      const res = await w.app.logout(
        makeRequest(`${APP}/api/auth/logout`, { method: "POST", jar, headers: { origin: APP } }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      const cleared = parseSetCookie(res.headers.getSetCookie()[0] ?? "");
      expect(cleared.name).toBe("wcuc_session");
      expect(cleared.expired).toBe(true);
      jar.store(res);
      expect(jar.get("wcuc_session")).toBeUndefined();
      expect((await w.app.me(makeRequest(`${APP}/api/me`, { jar }))).status).toBe(401);
    });

    it("403 for a cross-site request, leaving the session alone", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_base" });
      const res = await w.app.logout(
        makeRequest(`${APP}/api/auth/logout`, { method: "POST", jar, headers: { origin: "https://evil.com" } }),
      );
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("cross_site");
      expect(res.headers.getSetCookie()).toEqual([]);
      expect((await w.app.me(makeRequest(`${APP}/api/me`, { jar }))).status).toBe(200);
    });
  });
});
