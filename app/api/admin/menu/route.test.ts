// /api/admin/menu as an admin, against the simulator: the draft's limits answer 422 with every problem,
// a good draft is saved, published and read back in the history, and a version is published again.
// (Strangers, viewers and cross-site requests: app/admin/deny-by-default.test.ts.)
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { startSimulator, type Simulator } from "@/simulator/server";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Json = Record<string, unknown> & {
  error?: { code: string; errcode?: number; message: string; problems?: unknown[] };
};

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let menu: { GET: Handler; PUT: Handler; DELETE: Handler };
  let publish: { POST: Handler };
  let history: { GET: Handler };
  let rollback: { POST: Handler };
  let cookie = "";

  beforeAll(async () => {
    sim = await startSimulator();
    Object.assign(process.env, {
      APP_URL: APP,
      DATABASE_URL: database().url,
      WECHAT_API_BASE: sim.url,
      WECHAT_OAUTH_BASE: sim.url,
    });
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    await database().db.menuDraft.deleteMany();
    await database().db.menuPublication.deleteMany();
    cookie = await staffCookie(await makeStaff(database().db, "admin", `menu-admin-${_kind}@example.com`));
    menu = (await import("@/app/api/admin/menu/route")) as unknown as typeof menu;
    publish = (await import("@/app/api/admin/menu/publish/route")) as unknown as typeof publish;
    history = (await import("@/app/api/admin/menu/history/route")) as unknown as typeof history;
    rollback = (await import("@/app/api/admin/menu/history/[id]/publish/route")) as unknown as typeof rollback;
  });
  afterAll(async () => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
    await sim.close();
  });

  const call = async (handler: Handler, method: string, path: string, body?: unknown, params = {}) => {
    const response = await handler(
      new Request(`${APP}${path}`, {
        method,
        headers: { cookie, origin: APP, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { params: Promise.resolve<Record<string, string>>(params) },
    );
    return { status: response.status, json: (await response.json()) as Json };
  };

  describe("/api/admin/menu", () => {
    it("refuses a draft over WeChat's limits with 422, the errcode and each problem", async () => {
      const { status, json } = await call(menu.PUT, "PUT", "/api/admin/menu", {
        button: [{ type: "click", name: "一二三四五六", key: "K" }],
      });
      expect(status).toBe(422);
      expect(json.error).toMatchObject({ code: "wechat_rejected", errcode: 40018 });
      expect(json.error?.message).toContain("最多 16 字节");
      expect(json.error?.problems).toEqual([expect.objectContaining({ at: [0], field: "name", errcode: 40018 })]);
    });

    it("refuses a body that is not menu/create's with 400", async () => {
      const { status, json } = await call(menu.PUT, "PUT", "/api/admin/menu", { buttons: [] });
      expect(status).toBe(400);
      expect(json.error?.code).toBe("bad_request");
    });

    it("saves, publishes, lists the history and publishes a version again", async () => {
      const a = { button: [{ type: "view", name: "我的", url: `${APP}/me` }] };
      const b = { button: [{ type: "click", name: "活动", key: "EVENT" }] };
      expect((await call(menu.PUT, "PUT", "/api/admin/menu", a)).status).toBe(200);
      const first = await call(publish.POST, "POST", "/api/admin/menu/publish");
      expect(first.status).toBe(200);
      expect(sim.menus.state().default?.button).toEqual(a.button);
      await call(menu.PUT, "PUT", "/api/admin/menu", b);
      await call(publish.POST, "POST", "/api/admin/menu/publish");
      const listed = await call(history.GET, "GET", "/api/admin/menu/history");
      const entries = listed.json.history as { id: string; kind: string; staff: string }[];
      expect(entries.map((e) => e.kind)).toEqual(["publish", "publish"]);
      expect(entries[1]!.staff).toBe(`menu-admin-${_kind}@example.com`);
      const id = (first.json.published as { id: string }).id;
      expect(
        (await call(rollback.POST, "POST", `/api/admin/menu/history/${id}/publish`, undefined, { id })).status,
      ).toBe(200);
      expect(sim.menus.state().default?.button).toEqual(a.button);
      const view = await call(menu.GET, "GET", "/api/admin/menu");
      expect(view.json.draft).toEqual(a);
    });
  });
});
