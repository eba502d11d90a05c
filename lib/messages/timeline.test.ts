// A person's timeline on both databases: their pushes and the messages sent to them interleaved newest
// first, each side read as a bounded range and the merge cut to the limit; delivery reports and other
// people's rows left out; a template message carries its template's title and its status.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { listPersonTimeline, type PersonTimelineEntry } from "./timeline";

const APP_ID = "wx_timeline_test_01";
const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** What each entry is, in a line: `in:CLICK`, `out:template:delivered:订单发货通知`, `out:text:sent:您好`. */
const shape = (entries: readonly PersonTimelineEntry[]) =>
  entries.map((e) =>
    e.kind === "inbound"
      ? `in:${e.push.event ?? e.push.msgType}`
      : `out:${e.message.kind}:${e.message.status}:${e.title ?? e.message.content}`,
  );

forEachDatabase((_kind, database) => {
  let userId: string;
  let other: string;
  let seq = 0;

  beforeEach(async () => {
    const { db } = database();
    await db.outboundMessage.deleteMany();
    await db.messageTemplate.deleteMany();
    await db.weChatEvent.deleteMany();
    userId = await findOrCreatePersonByOpenid(db, APP_ID, "o_timeline_person", at(0));
    other = await findOrCreatePersonByOpenid(db, APP_ID, "o_timeline_other", at(0));
    await db.messageTemplate.create({
      data: {
        appId: APP_ID,
        templateId: "tpl_shipped",
        title: "订单发货通知",
        primaryIndustry: "IT科技",
        deputyIndustry: "互联网",
        content: "订单编号{{character_string1.DATA}}",
        example: "",
        fetchedAt: at(0),
      },
    });
  });

  const pushed = (seconds: number, fields: { msgType?: string; event?: string; content?: string; user?: string }) =>
    database().db.weChatEvent.create({
      data: {
        dedupeKey: `timeline-${++seq}`,
        openid: "o_timeline_person",
        userId: fields.user ?? userId,
        msgType: fields.msgType ?? "event",
        event: fields.event ?? null,
        content: fields.content ?? null,
        payload: "<xml/>",
        status: "done",
        createdAt: at(seconds),
      },
    });
  const sent = (
    seconds: number,
    fields: { kind?: "template" | "text"; status?: string; content?: string; templateId?: string; user?: string },
  ) =>
    database().db.outboundMessage.create({
      data: {
        appId: APP_ID,
        kind: fields.kind ?? "template",
        userId: fields.user ?? userId,
        openid: "o_timeline_person",
        templateId: (fields.kind ?? "template") === "template" ? (fields.templateId ?? "tpl_shipped") : null,
        content: fields.content ?? null,
        status: fields.status ?? "sent",
        source: "console",
        createdAt: at(seconds),
      },
    });

  it("interleaves the person's pushes and the messages sent to them, newest first, with titles and statuses", async () => {
    await pushed(0, { event: "subscribe" });
    await sent(10, { status: "delivered" });
    await pushed(20, { msgType: "text", content: "我的快递到哪了？" });
    // The delivery report is the message's, not something the person did.
    await pushed(21, { event: "TEMPLATESENDJOBFINISH" });
    // A reply at the same second as the message it answers comes after it.
    await pushed(30, { event: "CLICK" });
    await sent(30, { kind: "text", content: "您好，已发货。" });
    await sent(40, { status: "sending", templateId: "tpl_deleted" });
    // Someone else's.
    await pushed(50, { event: "CLICK", user: other });
    await sent(50, { user: other });

    const timeline = await listPersonTimeline(database().db, userId);
    expect(shape(timeline)).toEqual([
      "out:template:pending:null",
      "out:text:sent:您好，已发货。",
      "in:CLICK",
      "in:text",
      "out:template:delivered:订单发货通知",
      "in:subscribe",
    ]);
    expect(timeline.map((e) => e.at.getTime())).toEqual([40, 30, 30, 20, 10, 0].map((s) => at(s).getTime()));
  });

  it("reads at most `limit` from each side and keeps the newest `limit` of both", async () => {
    // Pushes every 10 s from 0, messages every 10 s from 5: alternating, a message newest.
    for (let s = 0; s < 100; s += 10) await pushed(s, { event: "CLICK" });
    for (let s = 5; s < 100; s += 10) await sent(s, {});
    const all = await listPersonTimeline(database().db, userId, 50);
    expect(all).toHaveLength(20);
    expect(all.map((e) => (e.at.getTime() - T0) / 1000)).toEqual(Array.from({ length: 20 }, (_, i) => 95 - i * 5));
    const newest = await listPersonTimeline(database().db, userId, 5);
    expect(newest.map((e) => `${e.kind}@${(e.at.getTime() - T0) / 1000}`)).toEqual([
      "outbound@95",
      "inbound@90",
      "outbound@85",
      "inbound@80",
      "outbound@75",
    ]);

    // All the newest are messages: the pushes' side is read but none make the cut.
    for (let s = 200; s < 205; s++) await sent(s, { kind: "text", content: `第 ${s} 秒` });
    const messagesOnly = await listPersonTimeline(database().db, userId, 5);
    expect(messagesOnly.every((e) => e.kind === "outbound")).toBe(true);
    expect(shape(messagesOnly)[0]).toBe("out:text:sent:第 204 秒");
  });
});
