// /api/admin/auto-replies as an admin: create, list, edit, refuse a duplicate, delete; bad input is a 400.
// (Strangers, viewers and cross-site requests: app/admin/deny-by-default.test.ts.)
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

forEachDatabase((_kind, database) => {
  let list: { GET: Handler; POST: Handler };
  let one: { PUT: Handler; DELETE: Handler };
  let cookie = "";

  beforeAll(async () => {
    process.env.APP_URL = APP;
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    await database().db.autoReply.deleteMany();
    cookie = await staffCookie(await makeStaff(database().db, "admin"));
    list = (await import("@/app/api/admin/auto-replies/route")) as unknown as typeof list;
    one = (await import("@/app/api/admin/auto-replies/[id]/route")) as unknown as typeof one;
  });
  afterAll(() => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
  });

  const call = (handler: Handler, method: string, path: string, body?: unknown, id?: string) =>
    handler(
      new Request(`${APP}${path}`, {
        method,
        headers: { cookie, origin: APP, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { params: Promise.resolve<Record<string, string>>(id ? { id } : {}) },
    );

  describe("/api/admin/auto-replies", () => {
    it("create, list, edit, duplicate, delete", async () => {
      const created = await call(list.POST, "POST", "/api/admin/auto-replies", {
        kind: "keyword",
        keyword: " 菜单 ",
        match: "contains",
        reply: "回复 1",
      });
      expect(created.status).toBe(201);
      const { rule } = (await created.json()) as { rule: { id: string; keyword: string } };
      expect(rule.keyword).toBe("菜单");

      const subscribe = await call(list.POST, "POST", "/api/admin/auto-replies", {
        kind: "subscribe",
        keyword: "ignored",
        reply: "欢迎",
      });
      expect(((await subscribe.json()) as { rule: { keyword: string } }).rule.keyword).toBe("");
      const again = await call(list.POST, "POST", "/api/admin/auto-replies", { kind: "subscribe", reply: "again" });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe("auto_reply_exists");

      const edited = await call(
        one.PUT,
        "PUT",
        `/api/admin/auto-replies/${rule.id}`,
        { kind: "keyword", keyword: "菜单", match: "exact", reply: "回复 2", enabled: false },
        rule.id,
      );
      expect(((await edited.json()) as { rule: unknown }).rule).toMatchObject({
        match: "exact",
        reply: "回复 2",
        enabled: false,
      });

      const all = (await (await call(list.GET, "GET", "/api/admin/auto-replies")).json()) as {
        rules: Array<{ kind: string }>;
      };
      expect(all.rules.map((r) => r.kind).sort()).toEqual(["keyword", "subscribe"]);

      expect((await call(one.DELETE, "DELETE", `/api/admin/auto-replies/${rule.id}`, undefined, rule.id)).status).toBe(
        200,
      );
      expect((await call(one.DELETE, "DELETE", `/api/admin/auto-replies/${rule.id}`, undefined, rule.id)).status).toBe(
        404,
      );
      expect(
        (await call(one.PUT, "PUT", `/api/admin/auto-replies/${rule.id}`, { kind: "subscribe", reply: "x" }, rule.id))
          .status,
      ).toBe(404);
    });

    it("400 with the reasons for bad input", async () => {
      const empty = await call(list.POST, "POST", "/api/admin/auto-replies", {
        kind: "keyword",
        keyword: "",
        reply: "",
      });
      expect(empty.status).toBe(400);
      const body = (await empty.json()) as { error: { code: string; issues: string[] } };
      expect(body.error.code).toBe("bad_request");
      expect(body.error.issues).toEqual(expect.arrayContaining(["回复内容不能为空"]));
      const long = await call(list.POST, "POST", "/api/admin/auto-replies", {
        kind: "subscribe",
        reply: "长".repeat(700),
      });
      expect(((await long.json()) as { error: { issues: string[] } }).error.issues).toEqual([
        "回复内容不能超过 2048 字节",
      ]);
      expect((await call(list.POST, "POST", "/api/admin/auto-replies", { kind: "other", reply: "x" })).status).toBe(
        400,
      );
    });
  });
});
