// /api/admin/orders as staff, on SQLite and PostgreSQL: the list (a 400 naming every bad filter), the CSV
// export, one order (404 for an unknown one), and marking an incident resolved (admins only: a viewer
// reads but is refused the change; no session is 401 before anything).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

forEachDatabase((_kind, database) => {
  type Globals = { wcucDb?: unknown };
  let viewer = "";
  let admin = "";
  let list: Handler;
  let exportCsv: Handler;
  let one: Handler;
  let incident: Handler;
  let incidentId = "";
  const saved = { APP_URL: process.env.APP_URL, DATABASE_URL: process.env.DATABASE_URL };

  beforeAll(async () => {
    const { db, url } = database();
    process.env.APP_URL = APP;
    process.env.DATABASE_URL = url;
    vi.resetModules();
    (globalThis as Globals).wcucDb = db;
    viewer = await staffCookie(await makeStaff(db, "viewer"));
    admin = await staffCookie(await makeStaff(db, "admin"));
    await db.user.create({ data: { id: "u1", nickname: "小明", createdAt: new Date(), lastLoginAt: new Date() } });
    const at = new Date("2026-01-10T02:00:00.000Z");
    await db.payOrder.createMany({
      data: [1, 2].map((i) => ({
        id: `ord${i}`,
        appId: "wx5e1f0c0de0000001",
        mchid: "1900000001",
        outTradeNo: `T2026000${i}`,
        userId: "u1",
        openid: "o_u1",
        description: `商品${i}`,
        amount: i * 1234,
        state: i === 1 ? "paid" : "unpaid",
        paidAt: i === 1 ? at : null,
        caller: "internal",
        expiresAt: at,
        createdAt: new Date(at.getTime() + i),
        updatedAt: at,
      })),
    });
    incidentId = (
      await db.payIncident.create({
        data: {
          orderId: "ord1",
          outTradeNo: "T20260001",
          kind: "amount_mismatch",
          source: "notification:x",
          createdAt: at,
        },
      })
    ).id;
    list = (await import("./route")).GET as Handler;
    exportCsv = (await import("./export.csv/route")).GET as Handler;
    one = (await import("./[id]/route")).GET as Handler;
    incident = (await import("./[id]/incidents/[incidentId]/route")).PATCH as Handler;
  });
  afterAll(() => {
    delete (globalThis as Globals).wcucDb;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const get = (handler: Handler, path: string, params: Record<string, string> = {}, cookie = viewer) =>
    handler(new Request(`${APP}${path}`, { headers: { cookie } }), { params: Promise.resolve(params) });
  const patch = (cookie: string, params: Record<string, string>, body: unknown) =>
    incident(
      new Request(`${APP}/api/admin/orders/${params.id}/incidents/${params.incidentId}`, {
        method: "PATCH",
        headers: { cookie, origin: APP, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve(params) },
    );

  describe("GET /api/admin/orders", () => {
    it("lists orders newest first for a viewer", async () => {
      const res = await get(list, "/api/admin/orders?q=u1");
      expect(res.status).toBe(200);
      const body = (await res.json()) as { orders: { id: string; nickname: string; amount: number }[]; next: null };
      expect(body.orders.map((o) => [o.id, o.nickname, o.amount])).toEqual([
        ["ord2", "小明", 2468],
        ["ord1", "小明", 1234],
      ]);
      expect(body.next).toBeNull();
    });

    it("answers 400 naming every bad filter, in Chinese", async () => {
      const res = await get(list, "/api/admin/orders?state=lost&minAmount=1.5");
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; issues: string[] } };
      expect(body.error.code).toBe("bad_request");
      expect(body.error.issues).toHaveLength(2);
    });

    it("is 401 without a session", async () => {
      expect((await get(list, "/api/admin/orders", {}, "")).status).toBe(401);
    });
  });

  describe("GET /api/admin/orders/export.csv", () => {
    it("streams the filter as an Excel-ready attachment, amounts in yuan", async () => {
      const res = await get(exportCsv, "/api/admin/orders/export.csv?state=paid");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes).split("\r\n");
      expect(lines.slice(1, -1)).toEqual([
        "ord1,T20260001,,已支付,12.34,0.00,商品1,u1,o_u1,小明,2026-01-10 10:00:00,2026-01-10 10:00:00",
      ]);
    });

    it("answers 400 to a bad filter before streaming anything", async () => {
      const res = await get(exportCsv, "/api/admin/orders/export.csv?from=2026-02-30");
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
    });
  });

  describe("GET /api/admin/orders/<id>", () => {
    it("answers the order with its timeline", async () => {
      const res = await get(one, "/api/admin/orders/ord1", { id: "ord1" });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { order: { refundable: number }; incidents: unknown[]; timeline: unknown[] };
      expect(body.order.refundable).toBe(1234);
      expect(body.incidents).toHaveLength(1);
      expect(body.timeline).toHaveLength(1);
    });

    it("is 404 for an unknown order", async () => {
      const res = await get(one, "/api/admin/orders/nope", { id: "nope" });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("pay_order_not_found");
    });
  });

  describe("PATCH /api/admin/orders/<id>/incidents/<incidentId>", () => {
    it("refuses a viewer (403) and a body that is not {resolved: true} (400)", async () => {
      const params = { id: "ord1", incidentId };
      expect((await patch(viewer, params, { resolved: true })).status).toBe(403);
      const bad = await patch(admin, params, { resolved: false });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { issues: string[] } }).error.issues[0]).toContain("resolved");
    });

    it("is 404 for an incident of another order", async () => {
      const res = await patch(admin, { id: "ord2", incidentId }, { resolved: true });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("pay_incident_not_found");
    });

    it("marks it resolved by the admin, once", async () => {
      const params = { id: "ord1", incidentId };
      const res = await patch(admin, params, { resolved: true });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ resolved: true, resolvedBy: "admin@example.com" });
      const again = (await (await patch(admin, params, { resolved: true })).json()) as { resolved: boolean };
      expect(again.resolved).toBe(false);
    });
  });
});
