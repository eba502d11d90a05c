// GET /api/admin/users and /api/admin/users/export as a signed-in viewer: the list's query in, one keyset
// page of JSON or the whole filter as CSV out, and a 400 naming what is wrong. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

forEachDatabase((_kind, database) => {
  type Globals = { wcucDb?: unknown };
  let cookie = "";
  let list: Handler;
  let exportCsv: Handler;
  const saved = { APP_URL: process.env.APP_URL, DATABASE_URL: process.env.DATABASE_URL };

  beforeAll(async () => {
    const { db, url } = database();
    // The routes read the database kind from the environment and the client from globalThis (lib/db/client.ts).
    process.env.APP_URL = APP;
    process.env.DATABASE_URL = url;
    vi.resetModules();
    (globalThis as Globals).wcucDb = db;
    cookie = await staffCookie(await makeStaff(db, "viewer"));
    await db.user.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        id: `r${i}`,
        nickname: i === 0 ? "=cmd|' /C calc'!A0" : `测试${i}`,
        scope: "snsapi_userinfo",
        createdAt: new Date(Date.UTC(2026, 0, 1, i)),
        lastLoginAt: new Date(Date.UTC(2026, 0, 2, i)),
        // r3 is on the blacklist
        blacklisted: i === 3,
      })),
    });
    // r4 logged in; the others are followers we only know of.
    await db.loginEvent.create({
      data: {
        userId: "r4",
        appid: "wx5e1f0c0de0000001",
        scope: "snsapi_userinfo",
        createdAt: new Date(Date.UTC(2026, 0, 2, 4)),
      },
    });
    list = (await import("./route")).GET as Handler;
    exportCsv = (await import("./export/route")).GET as Handler;
  });
  afterAll(() => {
    delete (globalThis as Globals).wcucDb;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const get = (handler: Handler, search: string) =>
    handler(new Request(`${APP}/api/admin/users${search}`, { headers: { cookie } }), { params: Promise.resolve({}) });

  describe("GET /api/admin/users", () => {
    it("returns a page and the cursor of the next one", async () => {
      const res = await get(list, "?limit=2");
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        users: { id: string; lastLoginAt: string | null; blacklisted: boolean }[];
        next: string | null;
        prev: string | null;
      };
      expect(body.users.map((u) => u.id)).toEqual(["r4", "r3"]);
      // Only a person who logged in has a last login; a follower never seen on our pages has null.
      expect(body.users.map((u) => u.lastLoginAt)).toEqual(["2026-01-02T04:00:00.000Z", null]);
      // 已拉黑 beside a blocked person (a bulk block's outcome shows when the list is fetched again).
      expect(body.users.map((u) => u.blacklisted)).toEqual([false, true]);
      expect(body.prev).toBeNull();
      const second = (await (await get(list, `?limit=2&after=${body.next}`)).json()) as typeof body;
      expect(second.users.map((u) => u.id)).toEqual(["r2", "r1"]);
    });

    it("carries the table's columns only (the CSV export has the rest)", async () => {
      const body = (await (await get(list, "?limit=1")).json()) as { users: Record<string, unknown>[] };
      expect(Object.keys(body.users[0]!).sort()).toEqual(
        [
          "createdAt",
          "blacklisted",
          "headimgurl",
          "id",
          "lastLoginAt",
          "nickname",
          "openid",
          "remark",
          "scope",
          "subscribed",
          "unionid",
        ].sort(),
      );
    });

    it("answers 400 with every problem, in Chinese", async () => {
      const res = await get(list, "?scope=everyone&limit=999");
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; issues: string[] } };
      expect(body.error.code).toBe("bad_request");
      expect(body.error.issues).toHaveLength(2);
      expect(body.error.issues.join()).toContain("授权范围");
    });
  });

  describe("GET /api/admin/users/export", () => {
    it("streams the filter as an Excel-ready CSV attachment", async () => {
      const res = await get(exportCsv, "?q=测试&dir=asc");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes).split("\r\n");
      expect(lines[0]).toMatch(/^id,昵称,openid/);
      expect(lines.slice(1, -1).map((l) => l.split(",")[0])).toEqual(["r1", "r2", "r3", "r4"]);
    });

    it("defuses a formula in a nickname", async () => {
      const text = await (await get(exportCsv, "?q=calc")).text();
      expect(text).toContain(`r0,'=cmd|' /C calc'!A0,`);
    });

    it("answers 400 to a bad filter before streaming anything", async () => {
      const res = await get(exportCsv, "?createdFrom=2026-02-30");
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
    });
  });
});
