// /api/admin/qrcodes as an admin, against the simulator: create (201), a limit answered 422 with the errcode,
// a used scene 409, bad input 400; one code with its stats; its image as PNG and SVG, drawn here.
// (Strangers, viewers and cross-site requests: app/admin/deny-by-default.test.ts.)
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { startSimulator, type Simulator } from "@/simulator/server";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

forEachDatabase((kind, database) => {
  let sim: Simulator;
  let list: { GET: Handler; POST: Handler };
  let one: { GET: Handler };
  let image: { GET: Handler };
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
    await database().db.qrCode.deleteMany();
    cookie = await staffCookie(await makeStaff(database().db, "admin", `qr-admin-${kind}@example.com`));
    list = (await import("@/app/api/admin/qrcodes/route")) as unknown as typeof list;
    one = (await import("@/app/api/admin/qrcodes/[id]/route")) as unknown as typeof one;
    image = (await import("@/app/api/admin/qrcodes/[id]/image/route")) as unknown as typeof image;
  });
  afterAll(async () => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
    await sim.close();
  });

  const call = (handler: Handler, method: string, path: string, body?: unknown, params = {}) =>
    handler(
      new Request(`${APP}${path}`, {
        method,
        headers: { cookie, origin: APP, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { params: Promise.resolve<Record<string, string>>(params) },
    );

  describe("/api/admin/qrcodes", () => {
    it("creates a code, refuses a used scene and a limit, and lists", async () => {
      const created = await call(list.POST, "POST", "/api/admin/qrcodes", {
        name: "海报",
        scene: `poster-${kind}`,
        action_name: "QR_LIMIT_STR_SCENE",
      });
      expect(created.status).toBe(201);
      const { qrCode } = (await created.json()) as { qrCode: { id: string; url: string } };
      expect(qrCode.url).toMatch(/^http:\/\/weixin\.qq\.com\/q\//);

      const again = await call(list.POST, "POST", "/api/admin/qrcodes", {
        name: "x",
        scene: `poster-${kind}`,
        action_name: "QR_STR_SCENE",
      });
      expect(again.status).toBe(409);
      const limit = await call(list.POST, "POST", "/api/admin/qrcodes", {
        name: "x",
        scene: "s",
        action_name: "QR_STR_SCENE",
        expire_seconds: 2_592_001,
      });
      expect(limit.status).toBe(422);
      expect(((await limit.json()) as { error: { code: string; errcode: number } }).error).toMatchObject({
        code: "wechat_rejected",
        errcode: 40097,
      });
      const bad = await call(list.POST, "POST", "/api/admin/qrcodes", {
        name: "",
        scene: "s",
        action_name: "QR_SCENE",
      });
      expect(bad.status).toBe(400);

      const listed = (await (await call(list.GET, "GET", "/api/admin/qrcodes")).json()) as {
        qrCodes: { id: string }[];
      };
      expect(listed.qrCodes.map((c) => c.id)).toEqual([qrCode.id]);

      const detail = (await (
        await call(one.GET, "GET", `/api/admin/qrcodes/${qrCode.id}`, undefined, { id: qrCode.id })
      ).json()) as {
        stats: unknown;
      };
      expect(detail.stats).toEqual({ scans: 0, newFollowers: 0, stillFollowing: 0, daily: [] });
      expect((await call(one.GET, "GET", "/api/admin/qrcodes/nope", undefined, { id: "nope" })).status).toBe(404);

      const png = await call(image.GET, "GET", `/api/admin/qrcodes/${qrCode.id}/image?format=png`, undefined, {
        id: qrCode.id,
      });
      expect(png.headers.get("content-type")).toBe("image/png");
      expect(png.headers.get("content-disposition")).toContain("attachment");
      expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      const svg = await call(image.GET, "GET", `/api/admin/qrcodes/${qrCode.id}/image?format=svg`, undefined, {
        id: qrCode.id,
      });
      expect(svg.headers.get("content-type")).toBe("image/svg+xml");
      expect(await svg.text()).toMatch(/^<svg /);
      expect(
        (await call(image.GET, "GET", `/api/admin/qrcodes/${qrCode.id}/image?format=gif`, undefined, { id: qrCode.id }))
          .status,
      ).toBe(400);
    });
  });
});
