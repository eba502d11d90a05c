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

    it("a copy of the cookie taken before logout is refused afterwards (the session is revoked, not just cleared)", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_base" });
      const copy = jar.get("wcuc_session")!.value;
      const withCopy = () => w.app.me(makeRequest(`${APP}/api/me`, { headers: { cookie: `wcuc_session=${copy}` } }));
      const me = await withCopy();
      expect(me.status).toBe(200);
      const { user } = (await me.json()) as { user: { id: string } };
      const res = await w.app.logout(
        makeRequest(`${APP}/api/auth/logout`, { method: "POST", jar, headers: { origin: APP } }),
      );
      expect(res.status).toBe(200);
      expect((await withCopy()).status).toBe(401);
      expect(await w.db.revokedSession.count({ where: { userId: user.id } })).toBe(1);
    });

    it("退出所有设备 ends the person's sessions on every device; a later login works", async () => {
      const w = world();
      const phone = new CookieJar();
      const laptop = new CookieJar();
      await browserLogin(w, phone, { scope: "snsapi_base" });
      await browserLogin(w, laptop, { scope: "snsapi_base" });
      const meOf = (jar: CookieJar) => w.app.me(makeRequest(`${APP}/api/me`, { jar }));
      const person = ((await (await meOf(phone)).json()) as { user: { id: string } }).user.id;
      expect(((await (await meOf(laptop)).json()) as { user: { id: string } }).user.id).toBe(person);

      const res = await w.app.logoutEverywhere(
        makeRequest(`${APP}/api/auth/logout/everywhere`, { method: "POST", jar: phone, headers: { origin: APP } }),
      );
      expect(res.status).toBe(200);
      expect((await meOf(laptop)).status).toBe(401);
      expect((await meOf(phone)).status).toBe(401);
      // An ended session cannot end anyone's sessions again.
      const again = await w.app.logoutEverywhere(
        makeRequest(`${APP}/api/auth/logout/everywhere`, { method: "POST", jar: laptop, headers: { origin: APP } }),
      );
      expect(again.status).toBe(401);

      const fresh = new CookieJar();
      await browserLogin(w, fresh, { scope: "snsapi_base" });
      expect((await meOf(fresh)).status).toBe(200);
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
