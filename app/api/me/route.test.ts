// GET /api/me after a real login through the routes: exactly the documented fields, never a token;
// 401 with the error shape without a session. On SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { sealData } from "iron-session";
import { parseEnv } from "@/lib/env";
import { CookieJar, makeRequest } from "@/test/support/cookies";
import { dumpDatabase, forEachDatabase } from "@/test/support/db";
import { browserLogin, useRouteWorld, type RouteWorld } from "@/test/support/routes";
import { callsTo, EXCHANGE, REFRESH, USERINFO } from "@/test/support/wechat-browser";

const APP = "http://localhost:3000";
const ME_FIELDS = [
  "id",
  "openid",
  "unionid",
  "nickname",
  "headimgurl",
  "sex",
  "province",
  "city",
  "country",
  "scope",
  "createdAt",
  "lastLoginAt",
];

/** Every token the simulator handed out, as the app sent them back to it. */
function tokensSeen(w: RouteWorld): string[] {
  return [...callsTo(w.sim, USERINFO), ...callsTo(w.sim, REFRESH)].flatMap((r) =>
    [r.query.access_token, r.query.refresh_token].filter((t): t is string => Boolean(t)),
  );
}

forEachDatabase((_kind, database) => {
  describe("GET /api/me", () => {
    const world = useRouteWorld(database);

    it("returns exactly the documented fields of the signed-in user, and no token", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_userinfo", user: "emoji" });
      const res = await w.app.me(makeRequest(`${APP}/api/me`, { jar }));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      const text = await res.text();
      const body = JSON.parse(text) as { user: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(["user"]);
      expect(Object.keys(body.user).sort()).toEqual([...ME_FIELDS].sort());
      const emoji = w.sim.users.find((u) => u.key === "emoji");
      const stored = await w.db.user.findFirstOrThrow();
      expect(body.user).toEqual({
        id: stored.id,
        openid: emoji?.openid,
        unionid: emoji?.unionid,
        nickname: "🌸小花👩‍👩‍👧✌️",
        headimgurl: emoji?.headimgurl,
        sex: emoji?.sex,
        province: emoji?.province,
        city: emoji?.city,
        country: emoji?.country,
        scope: "snsapi_userinfo",
        createdAt: stored.createdAt.toISOString(),
        lastLoginAt: stored.lastLoginAt.toISOString(),
      });
      const tokens = tokensSeen(w);
      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) expect(text).not.toContain(token);
      const identity = await w.db.identity.findFirstOrThrow();
      expect(text).not.toContain(identity.accessTokenEnc ?? "<none>");
      expect(text).not.toContain(identity.refreshTokenEnc ?? "<none>");
      // The raw tokens are not in the database either.
      const dump = await dumpDatabase(w.db);
      for (const token of tokens) expect(dump).not.toContain(token);
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
    });

    it("a snsapi_base user has an openid and no profile", async () => {
      const w = world();
      const jar = new CookieJar();
      await browserLogin(w, jar, { scope: "snsapi_base", user: "zhangsan" });
      const { user } = (await (await w.app.me(makeRequest(`${APP}/api/me`, { jar }))).json()) as {
        user: Record<string, unknown>;
      };
      expect(user).toMatchObject({
        openid: w.sim.users[0]?.openid,
        unionid: null,
        nickname: null,
        headimgurl: null,
        scope: "snsapi_base",
      });
    });

    it("is 401 with the error shape without a session", async () => {
      const res = await world().app.me(makeRequest(`${APP}/api/me`));
      expect(res.status).toBe(401);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(body).toEqual({ error: { code: "unauthenticated", message: "请先登录。" } });
    });

    it("is 401 for a forged, foreign or orphaned session cookie", async () => {
      const w = world();
      const password = parseEnv({}, false).SESSION_SECRET;
      const forged = [
        "wcuc_session=not-a-seal",
        `wcuc_session=${await sealData({ userId: "x" }, { password: "another-password-that-is-at-least-32-chars" })}`,
        // Correctly sealed but for a person who no longer exists (e.g. merged away).
        `wcuc_session=${await sealData({ userId: "gone", iat: 1 }, { password })}`,
      ];
      for (const cookie of forged) {
        const res = await w.app.me(makeRequest(`${APP}/api/me`, { headers: { cookie } }));
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
      }
    });
  });
});
