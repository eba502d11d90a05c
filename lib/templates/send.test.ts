// Template messages and replies against the simulator, on SQLite and PostgreSQL: the templates mirrored,
// added and deleted; one message sent, skipped or refused; its delivery report through the message
// endpoint, applied once even when it comes before our write of the msgid and when WeChat retries it;
// the internal API's idempotency key; the 48-hour reply window.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { MovableClock, serveMessageEndpoint, testMessageDeps, testProcessDeps } from "@/test/support/messages";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { useLoginWorld, APP_URL, type LoginWorld } from "@/test/support/world";
import { AppError } from "@/lib/errors";
import { resumePendingEvents } from "@/lib/messages/process";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { WeChatApiError } from "@/lib/wechat/errors";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { WeChatCustomService, WeChatTemplates } from "@/lib/wechat/template";
import { PUSH_DEFAULTS } from "@/simulator/push";
import { SIM_DEFAULTS } from "@/simulator/server";
import { replyWindow, sendReply, sendTemplateMessage } from "./send";
import { addTemplate, deleteTemplate, listTemplates, refreshTemplates, type TemplateDeps } from "./templates";

const APP_ID = SIM_DEFAULTS.appId;
const STAFF = "admin@example.com";
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: TemplateDeps;
  let endpoint: { url: string; close(): Promise<void> };
  let shipped: string;

  beforeAll(async () => {
    w = world();
    // The simulator's pushes, signed with its Token and key, answered on the world's clock.
    const messageDeps = testMessageDeps(database(), new MovableClock(), {
      token: PUSH_DEFAULTS.token,
      crypto: new MessageCrypto(PUSH_DEFAULTS.encodingAesKey, APP_ID),
      now: () => w.clock.now(),
    });
    endpoint = await serveMessageEndpoint(messageDeps);
  });
  afterAll(() => endpoint.close());

  beforeEach(async () => {
    w = world();
    for (const table of ["outboundMessage", "messageTemplate", "weChatEvent"] as const)
      await (w.db[table] as { deleteMany(): Promise<unknown> }).deleteMany();
    w.sim.push.setTarget(endpoint.url);
    w.sim.messages.setDelivery({ mode: "manual" });
    const cgi = simulatorCgiClient(w.sim);
    deps = {
      db: w.db,
      appId: APP_ID,
      now: w.clock.now,
      appUrl: APP_URL,
      wechat: new WeChatTemplates(cgi),
      custom: new WeChatCustomService(cgi),
    };
    const { templates } = await refreshTemplates(deps);
    shipped = templates.find((t) => t.title === "订单发货通知")!.templateId;
  });

  const persona = () => w.sim.users.find((u) => !u.snapshot)!.openid;
  const person = (openid = persona()) => findOrCreatePersonByOpenid(w.db, APP_ID, openid, w.clock.now());
  const DATA = {
    character_string1: { value: "SO20261204001" },
    thing2: { value: "挂耳咖啡" },
    thing3: { value: "顺丰速运" },
    time4: { value: "2026年12月4日 15:01" },
  };
  const message = (extra = {}) => ({ templateId: shipped, data: DATA, ...extra });

  it("mirrors the templates with their fields, adds one by short id and deletes one (on WeChat too)", async () => {
    const { templates, fetchedAt } = await listTemplates(deps);
    expect(templates).toHaveLength(4);
    expect(fetchedAt).toBe(w.clock.now().toISOString());
    expect(templates.find((t) => t.templateId === shipped)!.fields.map((f) => [f.key, f.type, f.label])).toEqual([
      ["character_string1", "character_string", "订单编号"],
      ["thing2", "thing", "商品名称"],
      ["thing3", "thing", "快递公司"],
      ["time4", "time", "发货时间"],
    ]);
    const added = await addTemplate(deps, { shortId: "OPENTM417958215" });
    expect(added).toMatchObject({ title: "退款成功通知" });
    expect(w.sim.messages.list()).toHaveLength(5);
    await deleteTemplate(deps, added.templateId);
    expect(w.sim.messages.list()).toHaveLength(4);
    expect((await listTemplates(deps)).templates).toHaveLength(4);
    const refused = await caught(addTemplate(deps, { shortId: "NOPE" }));
    expect(refused).toBeInstanceOf(WeChatApiError);
    expect((refused as WeChatApiError).errcode).toBe(40037);
  });

  it("sends one message, then its delivery report (through the endpoint) marks it delivered once", async () => {
    const userId = await person();
    const { message: sent } = await sendTemplateMessage(deps, { userId }, message(), {
      source: "console",
      createdBy: STAFF,
    });
    expect(sent).toMatchObject({ status: "sent", msgid: expect.stringMatching(/^\d+$/), openid: persona() });
    expect(w.sim.messages.receivedBy(persona())).toBe(1);
    expect(await w.sim.messages.flushDeliveries()).toBe(1);
    const row = await w.db.outboundMessage.findUniqueOrThrow({ where: { id: sent.id } });
    expect(row).toMatchObject({ status: "delivered", deliveredAt: expect.any(Date) });
    // WeChat retries the same report: kept once, nothing moves again.
    const report = w.sim.push.reports().at(-1)!;
    expect(report.ok).toBe(true);
    await w.sim.push.push({ type: "TEMPLATESENDJOBFINISH", openid: persona(), msgId: sent.msgid!, status: "success" });
    expect(await w.db.weChatEvent.count({ where: { event: "TEMPLATESENDJOBFINISH" } })).toBe(1);
    // Not the person's doing, not on their timeline as an event of theirs.
    expect((await replyWindow(deps, userId)).open).toBe(false);
  });

  it("applies a report that came before our write of the msgid (WeChat was faster than our commit)", async () => {
    const userId = await person();
    w.sim.messages.setDelivery({ mode: "before-reply" });
    const { message: sent } = await sendTemplateMessage(deps, { userId }, message(), { source: "console" });
    expect(sent.status).toBe("delivered");
    expect(await w.db.weChatEvent.count({ where: { event: "TEMPLATESENDJOBFINISH", eventKey: sent.msgid } })).toBe(1);
  });

  it("a person who refuses the account's messages: refused, with why", async () => {
    const userId = await person();
    w.sim.messages.setRefusing(persona(), true);
    const { message: sent } = await sendTemplateMessage(deps, { userId }, message(), { source: "console" });
    await w.sim.messages.flushDeliveries();
    expect(await w.db.outboundMessage.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({
      status: "refused",
      error: "对方已拒收公众号的消息。",
    });
  });

  it("checks values before calling (400 naming every bad field), and puts the login in front of our own links", async () => {
    const userId = await person();
    const bad = await caught(
      sendTemplateMessage(
        deps,
        { userId },
        message({ data: { ...DATA, thing2: { value: "一".repeat(21) }, time4: { value: "3pm" } } }),
        {
          source: "console",
        },
      ),
    );
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).options.extra).toEqual({
      fields: [
        { field: "thing2", message: "「商品名称」须为1–20 个字。" },
        { field: "time4", message: "「发货时间」须为24 小时制时间，如 15:01 或 2026年12月4日 15:01。" },
      ],
    });
    expect(w.sim.messages.receivedBy(persona())).toBe(0);
    await sendTemplateMessage(deps, { userId }, message({ url: `${APP_URL}/me?tab=orders` }), { source: "console" });
    expect(w.sim.messages.stats().recent.at(-1)!.url).toBe(
      `${APP_URL}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme%3Ftab%3Dorders`,
    );
    await sendTemplateMessage(deps, { userId }, message({ url: "https://shop.example.com/o/1" }), {
      source: "console",
    });
    expect(w.sim.messages.stats().recent.at(-1)!.url).toBe("https://shop.example.com/o/1");
  });

  it("skips people we know unfollowed or blocked; records WeChat's refusal (43004) as failed and hands it back", async () => {
    const userId = await person();
    await w.db.user.update({ where: { id: userId }, data: { subscribed: false } });
    const skipped = await sendTemplateMessage(deps, { userId }, message(), { source: "console" });
    expect(skipped.message).toMatchObject({ status: "skipped", error: "对方已取消关注公众号，未发送。" });
    await w.db.user.update({ where: { id: userId }, data: { subscribed: true, blacklisted: true } });
    expect((await sendTemplateMessage(deps, { userId }, message(), { source: "console" })).message.error).toBe(
      "对方在公众号黑名单中，未发送。",
    );
    await w.db.user.update({ where: { id: userId }, data: { subscribed: null, blacklisted: false } });
    w.sim.followers.unsubscribe([persona()]);
    const failed = await sendTemplateMessage(deps, { userId }, message(), { source: "console" });
    expect(failed.message).toMatchObject({ status: "failed", errcode: 43004 });
    expect((failed.error as WeChatApiError).errcode).toBe(43004);
    expect(w.sim.messages.receivedBy(persona())).toBe(0);
  });

  it("the internal API's idempotency key sends once, also when two requests carry it at the same moment", async () => {
    await person();
    const meta = { source: "api" as const, idempotencyKey: "order-1001-shipped" };
    const [a, b] = await Promise.all([
      sendTemplateMessage(deps, { openid: persona() }, message(), meta),
      sendTemplateMessage(deps, { openid: persona() }, message(), meta),
    ]);
    expect(a.message.id).toBe(b.message.id);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    const again = await sendTemplateMessage(deps, { openid: persona() }, message(), meta);
    expect(again).toMatchObject({ replayed: true, message: { id: a.message.id } });
    expect(w.sim.messages.receivedBy(persona())).toBe(1);
    expect(
      await caught(sendTemplateMessage(deps, { openid: "o_not_ours" }, message(), { source: "api" })),
    ).toMatchObject({
      code: "follower_not_found",
    });
  });

  it("replies only within 48 hours of the person's last message or event, and the reply joins their timeline", async () => {
    const userId = await person();
    expect(await caught(sendReply(deps, userId, "您好", STAFF))).toMatchObject({ errcode: 45015 });
    await w.sim.push.push({ type: "text", openid: persona(), content: "我的快递到哪了？" });
    await resumePendingEvents(testProcessDeps(database(), w.clock.now));
    const open = await replyWindow(deps, userId);
    expect(open).toMatchObject({ open: true, repliesSince: 0 });
    expect(new Date(open.until!).getTime() - w.clock.now().getTime()).toBe(48 * 3600_000);
    const sent = await sendReply(deps, userId, "已发货，单号 SF123", STAFF);
    expect(sent).toMatchObject({ kind: "text", status: "sent", content: "已发货，单号 SF123", createdBy: STAFF });
    expect(w.sim.messages.customMessages().map((m) => m.content)).toEqual(["已发货，单号 SF123"]);
    expect((await replyWindow(deps, userId)).repliesSince).toBe(1);
    w.clock.advance(48 * 3600 + 1);
    expect(await caught(sendReply(deps, userId, "还在吗", STAFF))).toMatchObject({ errcode: 45015 });
  });
});
