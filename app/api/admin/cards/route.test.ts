// The cards' admin API with Requests, on SQLite and PostgreSQL, against the simulator: a logo as multipart
// (201; refused by its bytes 422 on the field `logo`; no file 400), a card (a bad draft 422 with its
// problems on their fields; 201), the list and a card's page, PATCH sync after a review whose push never
// came, stock (never below zero: 422), a QR code (409 before approval, 201 with the drawn code), the
// counter as a viewer (check, then two consumes at once: one 200, one 422 with 40099 in Chinese) and
// DELETE. (Strangers and cross-site requests: app/admin/deny-by-default.test.ts.)
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { startSimulator, type Simulator } from "@/simulator/server";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Json = Record<string, unknown> & { error?: { code: string; errcode?: number; message: string } & Json };

const START = Date.UTC(2026, 0, 15, 8, 0, 0);
const NOW_S = START / 1000;

function png(): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(new ArrayBuffer(2048));
  data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return data;
}

forEachDatabase((kind, database) => {
  let sim: Simulator;
  const routes: Record<string, Record<string, Handler>> = {};
  let admin = "";
  let viewer = "";

  beforeAll(async () => {
    sim = await startSimulator({ startTime: START });
    // Nobody listens for pushes here: the review and the takes reach our records only through WeChat's APIs.
    sim.push.setTarget("http://127.0.0.1:9/nobody");
    sim.cards.setReview({ mode: "manual" });
    Object.assign(process.env, {
      APP_URL: APP,
      DATABASE_URL: database().url,
      WECHAT_API_BASE: sim.url,
      WECHAT_OAUTH_BASE: sim.url,
    });
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    const { db } = database();
    for (const table of ["cardEvent", "cardCode", "card", "cardLogo"] as const)
      await (db[table] as { deleteMany(): Promise<unknown> }).deleteMany();
    admin = await staffCookie(await makeStaff(db, "admin", `cards-admin-${kind}@example.com`));
    viewer = await staffCookie(await makeStaff(db, "viewer", `cards-viewer-${kind}@example.com`));
    const loaded = await Promise.all([
      import("@/app/api/admin/cards/route"),
      import("@/app/api/admin/cards/[id]/route"),
      import("@/app/api/admin/cards/[id]/stock/route"),
      import("@/app/api/admin/cards/[id]/qrcode/route"),
      import("@/app/api/admin/card-logos/route"),
      import("@/app/api/admin/card-logos/[id]/route"),
      import("@/app/api/admin/redeem/check/route"),
      import("@/app/api/admin/redeem/consume/route"),
    ]);
    const names = ["cards", "card", "stock", "qrcode", "logos", "logo", "check", "consume"];
    names.forEach((name, i) => (routes[name] = loaded[i] as unknown as Record<string, Handler>));
  });
  afterAll(async () => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
    await sim.close();
  });

  const call = async (
    handler: Handler,
    method: string,
    path: string,
    options: { body?: unknown; form?: FormData; params?: Record<string, string>; cookie?: string } = {},
  ) => {
    const headers: Record<string, string> = { cookie: options.cookie ?? admin, origin: APP };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await handler(
      new Request(`${APP}${path}`, {
        method,
        headers,
        body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      }),
      { params: Promise.resolve(options.params ?? {}) },
    );
    const type = res.headers.get("content-type") ?? "";
    return { res, json: (type.includes("json") ? await res.json() : {}) as Json };
  };

  const form = (name: string, data: Uint8Array<ArrayBuffer>, filename: string, type: string) => {
    const f = new FormData();
    f.set(name, new Blob([data], { type }), filename);
    return f;
  };

  describe("/api/admin/cards, /card-logos and /redeem", () => {
    it("makes a card from a logo and a draft, and manages it to deletion", async () => {
      const gif = new TextEncoder().encode("GIF89a...") as Uint8Array<ArrayBuffer>;
      const refused = await call(routes.logos!.POST!, "POST", "/api/admin/card-logos", {
        form: form("logo", gif, "logo.png", "image/png"),
      });
      expect(refused.res.status).toBe(422);
      expect(refused.json.error).toMatchObject({
        code: "wechat_rejected",
        errcode: 40005,
        fields: [{ field: "logo", message: "logo 只能是 JPG 或 PNG 图片（按文件内容判断）。" }],
      });
      const noFile = await call(routes.logos!.POST!, "POST", "/api/admin/card-logos", {
        form: form("file", png(), "logo.png", "image/png"),
      });
      expect(noFile.res.status).toBe(400);
      expect(noFile.json.error?.code).toBe("card_logo_invalid");

      const uploaded = await call(routes.logos!.POST!, "POST", "/api/admin/card-logos", {
        form: form("logo", png(), "anything.bin", "application/octet-stream"),
      });
      expect(uploaded.res.status).toBe(201);
      const logo = uploaded.json.logo as { id: string; url: string; previewUrl: string; contentType: string };
      expect(logo).toMatchObject({ contentType: "image/png", size: 2048 });
      const preview = await routes.logo!.GET!(
        new Request(`${APP}${logo.previewUrl}`, { headers: { cookie: viewer } }),
        {
          params: Promise.resolve({ id: logo.id }),
        },
      );
      expect(preview.headers.get("content-type")).toBe("image/png");
      expect(new Uint8Array(await preview.arrayBuffer())).toEqual(png());

      const draft = {
        type: "DISCOUNT",
        logoId: logo.id,
        brandName: "微信咖啡",
        title: "全场八折",
        color: "Color040",
        notice: "结账时出示",
        description: "每单限用一张",
        codeType: "CODE_TYPE_QRCODE",
        quantity: 2,
        getLimit: 1,
        canShare: true,
        canGiveFriend: false,
        date: { type: "DATE_TYPE_FIX_TERM", fixedTerm: 30, fixedBeginTerm: 0 },
        discount: 20,
      };
      const bad = await call(routes.cards!.POST!, "POST", "/api/admin/cards", {
        body: { ...draft, discount: 100, notice: "" },
      });
      expect(bad.res.status).toBe(422);
      expect(bad.json.error).toMatchObject({ code: "wechat_rejected", errcode: expect.any(Number) });
      expect((bad.json.error!.fields as { field: string }[]).map((f) => f.field).sort()).toEqual([
        "discount",
        "notice",
      ]);
      expect(bad.json.error!.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: "discount", errcode: 40097 })]),
      );

      const created = await call(routes.cards!.POST!, "POST", "/api/admin/cards", { body: draft });
      expect(created.res.status).toBe(201);
      const card = created.json.card as { id: string; wxCardId: string; review: { status: string } };
      expect(card.review.status).toBe("NOT_VERIFY");
      const viewerCreate = await call(routes.cards!.POST!, "POST", "/api/admin/cards", { body: draft, cookie: viewer });
      expect(viewerCreate.res.status).toBe(403);

      const listed = await call(routes.cards!.GET!, "GET", "/api/admin/cards", { cookie: viewer });
      expect((listed.json.cards as { id: string }[]).map((c) => c.id)).toEqual([card.id]);
      const params = { id: card.id };
      const early = await call(routes.qrcode!.POST!, "POST", `/api/admin/cards/${card.id}/qrcode`, {
        body: {},
        params,
      });
      expect(early.res.status).toBe(409);
      expect(early.json.error?.code).toBe("card_not_approved");

      // Approved at WeChat; the push never came: PATCH reads it back.
      await sim.cards.decide(card.wxCardId, true);
      const synced = await call(routes.card!.PATCH!, "PATCH", `/api/admin/cards/${card.id}`, {
        body: { sync: true },
        params,
      });
      expect(synced.json.card).toMatchObject({ review: { status: "VERIFY_OK" }, quantity: 2 });

      const below = await call(routes.stock!.POST!, "POST", `/api/admin/cards/${card.id}/stock`, {
        body: { delta: -3 },
        params,
      });
      expect(below.res.status).toBe(422);
      expect(below.json.error).toMatchObject({
        errcode: 40122,
        fields: [{ field: "delta", message: "库存只剩 2 张，最多减少 2 张（库存不能小于 0）。" }],
      });
      const more = await call(routes.stock!.POST!, "POST", `/api/admin/cards/${card.id}/stock`, {
        body: { delta: 3 },
        params,
      });
      expect(more.json.card).toMatchObject({ quantity: 5, totalQuantity: 5 });

      const qr = await call(routes.qrcode!.POST!, "POST", `/api/admin/cards/${card.id}/qrcode`, {
        body: { outerStr: "counter_flyer", expireSeconds: 600 },
        params,
      });
      expect(qr.res.status).toBe(201);
      expect(qr.json.qrCode).toMatchObject({ outerStr: "counter_flyer", expireSeconds: 600, channel: null });
      expect(qr.json.svg).toMatch(/^<svg /);
      expect(qr.json.png).toMatch(/^data:image\/png;base64,/);
      const badQr = await call(routes.qrcode!.POST!, "POST", `/api/admin/cards/${card.id}/qrcode`, {
        body: { expireSeconds: 5 },
        params,
      });
      expect(badQr.res.status).toBe(422);
      expect(badQr.json.error?.fields).toEqual([expect.objectContaining({ field: "expireSeconds" })]);

      const page = await call(routes.card!.GET!, "GET", `/api/admin/cards/${card.id}`, { params, cookie: viewer });
      expect(page.json).toMatchObject({ card: { id: card.id }, counts: { taken: 0, redeemed: 0 }, daily: [] });

      const gone = await call(routes.card!.DELETE!, "DELETE", `/api/admin/cards/${card.id}`, { params });
      expect(gone.json.card).toMatchObject({ deleted: true });
      expect(sim.cards.card(card.wxCardId)?.status).toBe("CARD_STATUS_DELETE");
      const missing = await call(routes.card!.GET!, "GET", "/api/admin/cards/nope", { params: { id: "nope" } });
      expect(missing.res.status).toBe(404);
    });

    it("redeems at the counter as a viewer: check, then two consumes at once, one succeeds", async () => {
      sim.cards.setReview({ mode: "manual" });
      const logo = await call(routes.logos!.POST!, "POST", "/api/admin/card-logos", {
        form: form("logo", png(), "l.png", "image/png"),
      });
      const created = await call(routes.cards!.POST!, "POST", "/api/admin/cards", {
        body: {
          type: "GIFT",
          logoId: (logo.json.logo as { id: string }).id,
          brandName: "微信面包",
          title: "兑换一个可颂",
          color: "Color060",
          notice: "到店出示",
          description: "当天有效",
          codeType: "CODE_TYPE_TEXT",
          quantity: 10,
          getLimit: 1,
          canShare: false,
          canGiveFriend: false,
          // The app judges the end by its own (real) clock, the simulator by its frozen one.
          date: {
            type: "DATE_TYPE_FIX_TIME_RANGE",
            beginTimestamp: NOW_S,
            endTimestamp: Math.floor(Date.now() / 1000) + 86_400,
          },
          gift: "可颂一个",
        },
      });
      const card = created.json.card as { id: string; wxCardId: string };
      await sim.cards.decide(card.wxCardId, true);
      const openid = sim.users.find((u) => !u.snapshot)!.openid;
      const taken = await sim.cards.take({ openid, cardId: card.wxCardId });
      if (!taken.ok) throw new Error("take refused");

      const check = await call(routes.check!.POST!, "POST", "/api/admin/redeem/check", {
        body: { code: taken.code },
        cookie: viewer,
      });
      expect(check.res.status).toBe(200);
      expect(check.json.check).toMatchObject({
        code: taken.code,
        canConsume: true,
        card: { id: card.id, title: "兑换一个可颂", typeLabel: "兑换券" },
        owner: { openid },
      });
      const unknown = await call(routes.check!.POST!, "POST", "/api/admin/redeem/check", {
        body: { code: "000000000000" },
        cookie: viewer,
      });
      expect(unknown.res.status).toBe(422);
      expect(unknown.json.error).toMatchObject({ errcode: 40056 });

      const [a, b] = await Promise.all([
        call(routes.consume!.POST!, "POST", "/api/admin/redeem/consume", {
          body: { code: taken.code },
          cookie: viewer,
        }),
        call(routes.consume!.POST!, "POST", "/api/admin/redeem/consume", { body: { code: taken.code }, cookie: admin }),
      ]);
      const statuses = [a.res.status, b.res.status].sort();
      expect(statuses).toEqual([200, 422]);
      const loser = a.res.status === 422 ? a : b;
      expect(loser.json.error).toMatchObject({ code: "wechat_rejected", errcode: 40099 });
      expect(loser.json.error?.message).toMatch(/^这张券已经核销过了.*（微信错误码 40099）$/);
      const winner = a.res.status === 200 ? a : b;
      expect(winner.json.redeemed).toMatchObject({ code: taken.code, card: { id: card.id } });
      expect(sim.cards.code(taken.code)?.status).toBe("CONSUMED");
      const { db } = database();
      expect(await db.cardCode.findFirstOrThrow({ where: { code: taken.code } })).toMatchObject({
        state: "CONSUMED",
        source: "consume",
      });
    });
  });
});
