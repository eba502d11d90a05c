// A follow through a channel QR code, through the message endpoint on both databases: the channel's
// welcome replaces the subscribe auto-reply, and WeChat's retries of the push count once in the stats.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import {
  MovableClock,
  TEST_APP_ID,
  pushXml,
  signPush,
  testMessageDeps,
  testProcessDeps,
} from "@/test/support/messages";
import { createAutoReply } from "@/lib/messages/auto-replies";
import { receivePush, type MessageDeps } from "@/lib/messages/endpoint";
import { processEvent } from "@/lib/messages/process";
import { parseXmlFields } from "@/lib/wechat/message-xml";
import { WeChatQrCodes } from "@/lib/wechat/qrcode";
import { qrCodeStats, type QrDeps } from "./qrcodes";

const sec = (ms: number) => Math.floor(ms / 1000);

forEachDatabase((_kind, database) => {
  let clock: MovableClock;
  let deps: MessageDeps;
  let qr: QrDeps;

  beforeEach(async () => {
    const { db } = database();
    await db.weChatEvent.deleteMany();
    await db.pushNonce.deleteMany();
    await db.autoReply.deleteMany();
    await db.qrCode.deleteMany();
    clock = new MovableClock();
    deps = testMessageDeps(database(), clock);
    const unused = new WeChatQrCodes({ call: () => Promise.reject(new Error("no WeChat call expected")) });
    qr = { db, wechat: unused, appId: TEST_APP_ID, now: clock.now };
    await db.qrCode.create({
      data: {
        appId: TEST_APP_ID,
        name: "海报",
        scene: "poster",
        action: "QR_LIMIT_STR_SCENE",
        ticket: "gQticket",
        url: "http://weixin.qq.com/q/poster",
        welcome: "欢迎从海报来！",
        createdAt: clock.now(),
        createdBy: "admin@example.com",
      },
    });
    await createAutoReply(db, { kind: "subscribe", keyword: "", match: "exact", reply: "欢迎关注", enabled: true });
  });

  const push = (xml: string) => {
    const signed = signPush(xml, { timestamp: sec(clock.ms) });
    return receivePush(deps, signed.params, signed.body);
  };
  const content = (body: string) => parseXmlFields(body).Content;

  it("answers a follow through the code with its welcome, and counts WeChat's retries once", async () => {
    const follow = pushXml({ openid: "oPoster1", event: "subscribe", eventKey: "qrscene_poster" });
    const first = await push(follow);
    expect(content(first.body)).toBe("欢迎从海报来！");
    clock.advance(5);
    const retry = await push(follow);
    expect(retry).toMatchObject({ recorded: false, eventId: first.eventId });
    await processEvent(testProcessDeps(database(), clock.now), first.eventId);

    clock.advance(60);
    const scan = await push(pushXml({ openid: "oPoster1", event: "SCAN", eventKey: "poster" }));
    expect(scan.body).not.toContain("欢迎从海报来");
    await processEvent(testProcessDeps(database(), clock.now), scan.eventId);

    expect(await qrCodeStats(qr, "poster")).toMatchObject({ scans: 2, newFollowers: 1, stillFollowing: 1 });
  });

  it("a plain follow and a follow through another code get the subscribe auto-reply", async () => {
    expect(content((await push(pushXml({ openid: "oPlain", event: "subscribe" }))).body)).toBe("欢迎关注");
    expect(content((await push(pushXml({ openid: "oOther", event: "subscribe", eventKey: "qrscene_x" }))).body)).toBe(
      "欢迎关注",
    );
  });
});
