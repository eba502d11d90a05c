// The template-message routes as handlers with Requests, against the simulator: /api/admin/templates
// (list, refresh, add, delete), a person's template-message and reply, /api/admin/message-jobs (preview,
// create, read, pause/resume/cancel), and the internal API with its OpenAPI document.
// (Strangers, viewers and cross-site requests: app/admin/deny-by-default.test.ts.)
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { startSimulator, SIM_DEFAULTS, type Simulator } from "@/simulator/server";

const APP = "http://localhost:3000";
const SECRET = "route-test-internal-secret-0123456789abcdefgh";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Module = Record<string, Handler>;

forEachDatabase((kind, database) => {
  let sim: Simulator;
  let cookie = "";
  let userId = "";
  let openid = "";
  const routes: Record<string, Module> = {};

  beforeAll(async () => {
    sim = await startSimulator();
    sim.messages.setDelivery({ mode: "manual" });
    Object.assign(process.env, {
      APP_URL: APP,
      DATABASE_URL: database().url,
      WECHAT_API_BASE: sim.url,
      WECHAT_OAUTH_BASE: sim.url,
      INTERNAL_API_SECRET: SECRET,
    });
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    const { db } = database();
    for (const table of ["outboundMessage", "messageTemplate", "messageJob"] as const)
      await (db[table] as { deleteMany(): Promise<unknown> }).deleteMany();
    cookie = await staffCookie(await makeStaff(db, "admin", `tpl-admin-${kind}@example.com`));
    openid = sim.users.find((u) => !u.snapshot)!.openid;
    userId = await findOrCreatePersonByOpenid(db, SIM_DEFAULTS.appId, openid, new Date());
    await db.user.update({ where: { id: userId }, data: { subscribed: true } });
    await db.tag.upsert({ where: { id: 101 }, create: { id: 101, name: "路由测试" }, update: {} });
    await db.userTag.upsert({
      where: { tagId_userId: { tagId: 101, userId } },
      create: { tagId: 101, userId },
      update: {},
    });
    const load = async (path: string) => (await import(`@/app/api/${path}/route`)) as Module;
    for (const path of [
      "admin/templates",
      "admin/templates/refresh",
      "admin/templates/[id]",
      "admin/users/[id]/template-message",
      "admin/users/[id]/reply",
      "admin/message-jobs",
      "admin/message-jobs/preview",
      "admin/message-jobs/[id]",
      "admin/message-jobs/[id]/pause",
      "admin/message-jobs/[id]/resume",
      "admin/message-jobs/[id]/cancel",
      "internal/wechat/template-messages",
      "internal/wechat/template-messages/[id]",
      "internal/openapi.json",
    ])
      routes[path] = await load(path);
  });
  afterAll(async () => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
    delete process.env.INTERNAL_API_SECRET;
    await sim.close();
  });

  const call = async (
    path: string,
    method: string,
    url: string,
    options: { body?: unknown; params?: Record<string, string>; headers?: Record<string, string> } = {},
  ) => {
    const response = await routes[path]![method]!(
      new Request(`${APP}${url}`, {
        method,
        headers: options.headers ?? { cookie, origin: APP, "content-type": "application/json" },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      }),
      { params: Promise.resolve(options.params ?? {}) },
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers' shapes are asserted below
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  const DATA = {
    character_string1: { value: "SO1" },
    thing2: { value: "挂耳咖啡" },
    thing3: { value: "顺丰速运" },
    time4: { value: "15:01" },
  };
  let shipped = "";

  describe("/api/admin/templates", () => {
    it("refreshes from WeChat, lists with fields, adds by short id (201), deletes; refusals are 422", async () => {
      const refreshed = await call("admin/templates/refresh", "POST", "/api/admin/templates/refresh", { body: {} });
      expect(refreshed.status).toBe(200);
      const listed = await call("admin/templates", "GET", "/api/admin/templates");
      expect(listed.body.templates).toHaveLength(4);
      shipped = listed.body.templates.find((t: { title: string }) => t.title === "订单发货通知").templateId;
      const added = await call("admin/templates", "POST", "/api/admin/templates", {
        body: { shortId: "OPENTM417958215" },
      });
      expect(added.status).toBe(201);
      expect(added.body.template.fields.map((f: { key: string }) => f.key)).toEqual(["amount1", "thing2", "date3"]);
      const unknown = await call("admin/templates", "POST", "/api/admin/templates", { body: { shortId: "NOPE" } });
      expect(unknown).toMatchObject({ status: 422, body: { error: { code: "wechat_rejected", errcode: 40037 } } });
      const bad = await call("admin/templates", "POST", "/api/admin/templates", { body: { shortId: "有空格 的" } });
      expect(bad.status).toBe(400);
      const id = added.body.template.templateId as string;
      expect(
        (await call("admin/templates/[id]", "DELETE", `/api/admin/templates/${id}`, { params: { id } })).status,
      ).toBe(200);
      expect(
        (await call("admin/templates/[id]", "DELETE", `/api/admin/templates/${id}`, { params: { id } })).status,
      ).toBe(404);
    });
  });

  describe("a person's messages", () => {
    it("sends a template message (201), names bad fields (400) and reads WeChat's refusal (422)", async () => {
      const path = "admin/users/[id]/template-message";
      const url = `/api/admin/users/${userId}/template-message`;
      const sent = await call(path, "POST", url, { body: { templateId: shipped, data: DATA }, params: { id: userId } });
      expect(sent).toMatchObject({ status: 201, body: { message: { status: "sent", openid } } });
      const bad = await call(path, "POST", url, {
        body: { templateId: shipped, data: { ...DATA, time4: { value: "3pm" } } },
        params: { id: userId },
      });
      expect(bad).toMatchObject({
        status: 400,
        body: { error: { code: "template_data_invalid", fields: [{ field: "time4" }] } },
      });
      // The console's 小程序 part: WeChat gets it as given; an AppID that is not wx + 16 is refused before calling.
      const miniprogram = { appid: "wx1234567890abcdef", pagepath: "pages/order/detail?id=SO1" };
      const toMiniProgram = await call(path, "POST", url, {
        body: { templateId: shipped, data: DATA, miniprogram },
        params: { id: userId },
      });
      expect(toMiniProgram).toMatchObject({ status: 201, body: { message: { status: "sent" } } });
      expect(sim.messages.stats().recent.at(-1)).toMatchObject({
        msgid: toMiniProgram.body.message.msgid,
        miniprogram,
      });
      const sentBefore = sim.messages.stats().total;
      const badAppid = await call(path, "POST", url, {
        body: { templateId: shipped, data: DATA, miniprogram: { appid: "wx123" } },
        params: { id: userId },
      });
      expect(badAppid.status).toBe(400);
      expect(sim.messages.stats().total).toBe(sentBefore);
      const unknownTemplate = await call(path, "POST", url, {
        body: { templateId: "nope", data: DATA },
        params: { id: userId },
      });
      expect(unknownTemplate.status).toBe(404);
      sim.followers.unsubscribe([openid]);
      const refused = await call(path, "POST", url, {
        body: { templateId: shipped, data: DATA },
        params: { id: userId },
      });
      expect(refused).toMatchObject({ status: 422, body: { error: { code: "wechat_rejected", errcode: 43004 } } });
      sim.followers.resubscribe([openid]);
    });

    it("offers a reply only in the 48-hour window: 422 45015 before calling, then 201", async () => {
      const path = "admin/users/[id]/reply";
      const url = `/api/admin/users/${userId}/reply`;
      expect((await call(path, "GET", url, { params: { id: userId } })).body.window).toMatchObject({ open: false });
      const closed = await call(path, "POST", url, { body: { text: "您好" }, params: { id: userId } });
      expect(closed).toMatchObject({ status: 422, body: { error: { errcode: 45015 } } });
      expect((await call(path, "POST", url, { body: { text: " " }, params: { id: userId } })).status).toBe(400);
      await database().db.weChatEvent.create({
        data: {
          dedupeKey: `route-test-${kind}`,
          openid,
          userId,
          msgType: "text",
          content: "在吗",
          payload: "<xml/>",
          status: "done",
          createdAt: new Date(),
          receivedAt: new Date(),
        },
      });
      sim.messages.interact(openid);
      const sent = await call(path, "POST", url, { body: { text: "在的，请讲。" }, params: { id: userId } });
      expect(sent).toMatchObject({ status: 201, body: { message: { kind: "text", status: "sent" } } });
    });
  });

  describe("/api/admin/message-jobs", () => {
    it("previews the count, makes a send (201 with its count), runs it, and refuses a change from the wrong state", async () => {
      const preview = await call(
        "admin/message-jobs/preview",
        "GET",
        "/api/admin/message-jobs/preview?type=tag&tagId=101",
      );
      expect(preview.body.count).toEqual({ total: 1, unsubscribed: 0, blacklisted: 0 });
      expect((await call("admin/message-jobs/preview", "GET", "/api/admin/message-jobs/preview?type=x")).status).toBe(
        400,
      );
      const miniprogram = { appid: "wx1234567890abcdef" };
      const created = await call("admin/message-jobs", "POST", "/api/admin/message-jobs", {
        body: { templateId: shipped, data: DATA, miniprogram, recipients: { type: "tag", tagId: 101 } },
      });
      expect(created).toMatchObject({ status: 201, body: { count: 1, job: { counts: { total: 1 } } } });
      const id = created.body.job.id as string;
      // The route started the send in this process: wait for that run to end.
      const { services } = await import("@/lib/services");
      const { MESSAGE_JOB } = await import("@/lib/templates/jobs");
      await services.jobs.drain(MESSAGE_JOB);
      const read = await call("admin/message-jobs/[id]", "GET", `/api/admin/message-jobs/${id}`, { params: { id } });
      expect(read.body.job).toMatchObject({ state: "done", counts: { sent: 1, pending: 0 } });
      // The send's mini program reached WeChat with its one recipient's message.
      expect(sim.messages.stats().recent.at(-1)).toMatchObject({ touser: openid, miniprogram });
      const listed = await call("admin/message-jobs", "GET", "/api/admin/message-jobs");
      expect(listed.body.jobs.map((j: { id: string }) => j.id)).toContain(id);
      const pause = await call("admin/message-jobs/[id]/pause", "POST", `/api/admin/message-jobs/${id}/pause`, {
        params: { id },
      });
      expect(pause).toMatchObject({ status: 409, body: { error: { code: "message_job_state", state: "done" } } });
      const bad = await call("admin/message-jobs", "POST", "/api/admin/message-jobs", {
        body: { templateId: shipped, data: DATA, recipients: { type: "everyone" } },
      });
      expect(bad.status).toBe(400);
    });
  });

  describe("internal API", () => {
    const internal = (method: string, url: string, body?: unknown, params?: Record<string, string>, secret = SECRET) =>
      call(
        url.includes("/template-messages/")
          ? "internal/wechat/template-messages/[id]"
          : "internal/wechat/template-messages",
        method,
        url,
        {
          body,
          params,
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        },
      );

    it("sends once per idempotencyKey (202, then 200 with the first), names bad fields (400), and needs the secret", async () => {
      const body = { openid, templateId: shipped, data: DATA, idempotencyKey: `order-1-${kind}` };
      const first = await internal("POST", "/api/internal/wechat/template-messages", body);
      expect(first).toMatchObject({ status: 202, body: { status: "sent", openid, userId } });
      const again = await internal("POST", "/api/internal/wechat/template-messages", body);
      expect(again).toMatchObject({ status: 200, body: { id: first.body.id } });
      const id = first.body.id as string;
      const read = await internal("GET", `/api/internal/wechat/template-messages/${id}`, undefined, { id });
      expect(read.body).toMatchObject({ id, status: "sent", msgid: expect.stringMatching(/^\d+$/) });
      await sim.messages.flushDeliveries();
      const bad = await internal("POST", "/api/internal/wechat/template-messages", {
        ...body,
        idempotencyKey: "k2",
        data: { ...DATA, thing2: { value: "一".repeat(21) } },
      });
      expect(bad).toMatchObject({ status: 400, body: { error: { fields: [{ field: "thing2" }] } } });
      const both = await internal("POST", "/api/internal/wechat/template-messages", {
        ...body,
        userId,
        idempotencyKey: "k3",
      });
      expect(both.status).toBe(400);
      const stranger = await internal("POST", "/api/internal/wechat/template-messages", body, undefined, "wrong");
      expect(stranger.status).toBe(401);
    });

    it("serves its OpenAPI document, generated from the routes' schemas, covering the token and pay APIs", async () => {
      const doc = await call("internal/openapi.json", "GET", "/api/internal/openapi.json", { headers: {} });
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe("3.1.0");
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          "/api/internal/wechat/access-token",
          "/api/internal/wechat/access-token/refresh",
          "/api/internal/wechat/jsapi-ticket",
          "/api/internal/wechat/template-messages",
          "/api/internal/wechat/template-messages/{id}",
          "/api/internal/pay/orders",
          "/api/internal/pay/orders/{id}",
          "/api/internal/pay/orders/{id}/refunds",
        ]),
      );
      const schema =
        doc.body.paths["/api/internal/wechat/template-messages"].post.requestBody.content["application/json"].schema;
      expect(schema.required).toEqual(expect.arrayContaining(["templateId", "data", "idempotencyKey"]));
    });
  });
});
